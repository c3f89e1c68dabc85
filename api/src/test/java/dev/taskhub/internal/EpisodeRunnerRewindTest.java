package dev.taskhub.internal;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.Task;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;
import dev.taskhub.worker.TaskRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Rewind in the replay engine: the rewritten history and the work a rewind episode asks for again. */
class EpisodeRunnerRewindTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private static final FailureDetails BOOM = new FailureDetails("java.lang.IllegalStateException", "boom", "");
    private static final RetryPolicy THREE_ATTEMPTS = RetryPolicy.builder(3, Duration.ofSeconds(1)).build();

    private final AtomicBoolean codeFixed = new AtomicBoolean();
    private final TaskRegistry registry = new TaskRegistry()
            .addOrchestrator("Retrying", ctx -> ctx.callActivity("Step", "a", String.class).await()
                    + ctx.callActivity("Flaky", "b", String.class, THREE_ATTEMPTS).await())
            .addOrchestrator("Compensating", ctx -> {
                ctx.callActivity("Step", "reserve", String.class).await();
                try {
                    return ctx.callActivity("Flaky", "charge", String.class).await();
                } catch (TaskFailedException e) {
                    ctx.callActivity("Step", "release", String.class).await();
                    throw e;
                }
            })
            .addOrchestrator("Parallel", ctx -> {
                Task<String> a = ctx.callActivity("Flaky", "a", String.class);
                Task<String> b = ctx.callActivity("Slow", "b", String.class);
                return a.await() + b.await();
            })
            .addOrchestrator("TimerThenFail", ctx -> {
                Task<Void> later = ctx.createTimer(T0.plusSeconds(3600));
                String a = ctx.callActivity("Flaky", "a", String.class).await();
                later.await();
                return a;
            })
            .addOrchestrator("Parent", ctx -> ctx.callSubOrchestrator("Child", "in", "child-1", String.class, null).await())
            .addOrchestrator("RetriedChild", ctx -> ctx.callSubOrchestrator("Child", "in", "child-1", String.class,
                    RetryPolicy.builder(2, Duration.ofSeconds(1)).build()).await())
            .addOrchestrator("Child", ctx -> ctx.callActivity("Step", "x", String.class).await())
            .addOrchestrator("Throws", ctx -> {
                String a = ctx.callActivity("Step", "a", String.class).await();
                if (!codeFixed.get()) {
                    throw new IllegalStateException("bug in the orchestrator");
                }
                return a;
            })
            .addOrchestrator("LateCleanup", ctx -> {
                Task<String> a = ctx.callActivity("Flaky", "a", String.class);
                try {
                    a.await();
                } catch (TaskFailedException e) {
                    ctx.callActivity("Notify", "n", String.class);   // not awaited: still running when the instance fails
                    ctx.createTimer(T0.plusSeconds(1)).await();
                    throw e;
                }
                return a.await() + ctx.callActivity("Step", "next", String.class).await();
            })
            .addOrchestrator("WaitsForEvent", ctx -> {
                String a;
                try {
                    a = ctx.callActivity("Flaky", "a", String.class).await();
                } catch (TaskFailedException e) {
                    ctx.createTimer(T0.plusSeconds(1)).await();
                    throw e;
                }
                return a + ctx.waitForExternalEvent("Go", String.class).await();
            });
    private final EpisodeRunner runner = new EpisodeRunner(new TestRegistrations(registry), Clock.fixed(T0, ZoneOffset.UTC), 10);

    /** One instance driven episode by episode, with its history applied as a provider would. */
    private final class Instance {
        final String id;
        InstanceState state;
        List<HistoryEvent> history = new ArrayList<>();
        long version;
        Checkpoint last;

        Instance(String id, String name, HistoryEvent.ParentInstance parent) {
            this.id = id;
            state = InstanceState.builder().instanceId(id).name(name).executionId("e1").status(RuntimeStatus.PENDING)
                    .createdAt(T0).lastUpdatedAt(T0).parentInstanceId(parent == null ? null : parent.instanceId())
                    .build();
            deliver(new HistoryEvent.ExecutionStarted(-1, T0, name, null, null, "e1", parent, null));
        }

        Checkpoint deliver(HistoryEvent... events) {
            List<TaskMessage> messages = new ArrayList<>();
            for (HistoryEvent e : events) {
                messages.add(new TaskMessage(Ids.random(), id, e instanceof HistoryEvent.ExecutionRewound ? null : "e1", e, null));
            }
            return deliver(messages);
        }

        Checkpoint deliver(List<TaskMessage> messages) {
            Checkpoint c = runner.run(new OrchestrationWorkItem(id, "lock", T0.plusSeconds(30), state, messages, version, 1), history);
            if (c.replaceHistory()) {
                history = new ArrayList<>(c.newEvents());
            } else {
                history.addAll(c.newEvents());
            }
            if (c.changesHistory()) {
                version++;
            }
            if (c.state() != null) {
                state = c.state();
            }
            last = c;
            return c;
        }

        Checkpoint completed(int taskId, String result) {
            return deliver(new HistoryEvent.TaskCompleted(-1, T0, taskId, result));
        }

        Checkpoint failed(int taskId) {
            return deliver(new HistoryEvent.TaskFailed(-1, T0, taskId, BOOM));
        }

        /** Fires a timer as its message does: with the fire time recorded for it. */
        Checkpoint fired(int timerId) {
            Instant fireAt = history.stream().filter(e -> e instanceof HistoryEvent.TimerCreated t && t.eventId() == timerId)
                    .map(e -> ((HistoryEvent.TimerCreated) e).fireAt()).reduce((x, y) -> y).orElse(T0);
            return deliver(new HistoryEvent.TimerFired(-1, fireAt, timerId, fireAt));
        }

        Checkpoint rewind() {
            return deliver(new HistoryEvent.ExecutionRewound(-1, T0, "fixed"));
        }

        RuntimeStatus status() {
            return state.status();
        }

        List<String> types() {
            return history.stream().map(HistoryEvent::eventType).toList();
        }
    }

    private static List<Integer> taskIds(Checkpoint c) {
        return c.activityRequests().stream().map(ActivityRequest::taskId).toList();
    }

    @Test
    void aRewindRequestDeliveredAgain_afterTheRewoundRunFailedAgain_isNotAppliedTwice() {
        Instance i = new Instance("c1", "Child", null);
        i.failed(0);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);
        TaskMessage request = new TaskMessage(Ids.random(), i.id, null, new HistoryEvent.ExecutionRewound(-1, T0, "fixed"), null);

        Checkpoint rewound = i.deliver(List.of(request));
        assertThat(i.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(taskIds(rewound)).containsExactly(0);
        assertThat(i.history).filteredOn(HistoryEvent.ExecutionRewound.class::isInstance).singleElement()
                .satisfies(r -> assertThat(((HistoryEvent.ExecutionRewound) r).requestId()).isEqualTo(request.messageId()));
        i.failed(0);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        // an at-least-once store delivers the same request again: it was applied, so it changes nothing now
        Checkpoint again = i.deliver(List.of(request));
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(again.activityRequests()).isEmpty();
        assertThat(i.history).filteredOn(HistoryEvent.ExecutionRewound.class::isInstance).hasSize(1);

        // a new request rewinds it again
        i.rewind();
        assertThat(i.status()).isEqualTo(RuntimeStatus.RUNNING);
    }

    @Test
    void aRewindRequestForAnEarlierExecution_doesNotRewindALaterOneThatFailed() {
        Instance i = new Instance("can1", "Child", null);
        i.failed(0);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);
        // the request that rewound execution e0, delivered again after e0 continued as new and e1 failed
        TaskMessage stale = new TaskMessage(Ids.random(), i.id, "e0", new HistoryEvent.ExecutionRewound(-1, T0, "for e0"), null);
        Checkpoint ignored = i.deliver(List.of(stale));
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(ignored.activityRequests()).isEmpty();
        assertThat(i.history).noneMatch(HistoryEvent.ExecutionRewound.class::isInstance);

        TaskMessage current = new TaskMessage(Ids.random(), i.id, "e1", new HistoryEvent.ExecutionRewound(-1, T0, "for e1"), null);
        Checkpoint rewound = i.deliver(List.of(current));
        assertThat(i.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(taskIds(rewound)).containsExactly(0);
    }

    @Test
    void retriesThatUsedUpTheirAttempts_areForgotten_andTheFirstAttemptIsAskedForAgain() {
        Instance i = new Instance("i1", "Retrying", null);
        i.completed(0, "\"a\"");
        i.failed(1);                 // attempt 1; retry timer #2
        i.fired(2);                  // attempt 2 is #3
        i.failed(3);                 // retry timer #4
        i.fired(4);                  // attempt 3 is #5
        i.failed(5);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        Checkpoint c = i.rewind();
        assertThat(c.replaceHistory()).isTrue();
        assertThat(i.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(i.types()).containsExactly(
                "OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted",
                "OrchestratorStarted", "TaskCompleted", "TaskScheduled", "OrchestratorCompleted",
                "OrchestratorStarted", "ExecutionRewound", "OrchestratorCompleted");
        assertThat(c.activityRequests()).singleElement().satisfies(r -> {
            assertThat(r.taskId()).isEqualTo(1);
            assertThat(r.name()).isEqualTo("Flaky");
            assertThat(r.input()).isEqualTo("\"b\"");
            assertThat(r.executionId()).isEqualTo("e1");
        });
        assertThat(c.orchestrationMessages()).as("no timer: the retry timers are forgotten").isEmpty();
        assertThat(i.history).filteredOn(HistoryEvent.ExecutionRewound.class::isInstance).singleElement()
                .satisfies(r -> assertThat(r.eventId()).as("calls after the rewind are numbered from 6").isEqualTo(6));

        i.completed(1, "\"b\"");
        assertThat(i.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(i.state.output()).isEqualTo("\"ab\"");
    }

    @Test
    void aFailureThatWasCompensatedAndRethrown_isRewoundToBeforeTheFailure() {
        Instance i = new Instance("i1", "Compensating", null);
        i.completed(0, "\"reserve\"");
        i.failed(1);                 // compensation #2
        assertThat(taskIds(i.last)).containsExactly(2);
        i.completed(2, "\"release\"");
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        Checkpoint c = i.rewind();
        assertThat(taskIds(c)).containsExactly(1);
        assertThat(i.history).filteredOn(HistoryEvent.TaskScheduled.class::isInstance)
                .extracting(HistoryEvent::eventId).as("no duplicate TaskScheduled; the compensation is gone").containsExactly(0, 1);
        i.completed(1, "\"charged\"");
        assertThat(i.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(i.state.output()).isEqualTo("\"charged\"");
    }

    @Test
    void aResultThatArrivesWhileFailed_isKept_andOnlyTheFailedActivityIsAskedForAgain() {
        Instance i = new Instance("i1", "Parallel", null);
        assertThat(taskIds(i.last)).containsExactly(0, 1);
        i.failed(0);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        Checkpoint late = i.completed(1, "\"b\"");
        assertThat(late.replaceHistory()).isFalse();
        assertThat(late.newEvents()).extracting(HistoryEvent::eventType)
                .containsExactly("OrchestratorStarted", "TaskCompleted", "OrchestratorCompleted");
        assertThat(late.state().status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(late.state().failureDetails()).isNotNull();

        Checkpoint c = i.rewind();
        assertThat(taskIds(c)).containsExactly(0);
        assertThat(i.types()).containsExactly(
                "OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "TaskScheduled", "OrchestratorCompleted",
                "OrchestratorStarted", "TaskCompleted", "OrchestratorCompleted",
                "OrchestratorStarted", "ExecutionRewound", "OrchestratorCompleted");
        i.completed(0, "\"a\"");
        assertThat(i.state.output()).isEqualTo("\"ab\"");
    }

    @Test
    void aResultDroppedWhileFailed_isAskedForAgain() {
        Instance i = new Instance("i1", "Parallel", null);
        i.failed(0);
        i.failed(1);                 // a failure that arrives while failed is not kept
        Checkpoint c = i.rewind();
        assertThat(taskIds(c)).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void messagesInTheRewindsWorkItem_beforeTheRewindCountAsArrivedWhileFailed() {
        Instance i = new Instance("i1", "Parallel", null);
        i.failed(0);
        Checkpoint c = i.deliver(new HistoryEvent.TaskFailed(-1, T0, 1, BOOM), new HistoryEvent.ExecutionRewound(-1, T0, "x"));
        assertThat(i.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(taskIds(c)).containsExactlyInAnyOrder(0, 1);

        Instance j = new Instance("i2", "Parallel", null);
        j.failed(0);
        c = j.deliver(new HistoryEvent.TaskCompleted(-1, T0, 1, "\"b\""), new HistoryEvent.ExecutionRewound(-1, T0, "x"));
        assertThat(taskIds(c)).containsExactly(0);
        assertThat(j.status()).isEqualTo(RuntimeStatus.RUNNING);
    }

    @Test
    void aTimerThatHadNotFired_isSetAgainWithItsFireTime_andAFiredOneIsNot() {
        Instance i = new Instance("i1", "TimerThenFail", null);
        i.failed(1);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);
        Checkpoint c = i.rewind();
        assertThat(taskIds(c)).containsExactly(1);
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> {
            assertThat(m.instanceId()).isEqualTo("i1");
            assertThat(m.visibleAt()).isEqualTo(T0.plusSeconds(3600));
            assertThat(m.event()).isInstanceOfSatisfying(HistoryEvent.TimerFired.class, f -> {
                assertThat(f.timerId()).isZero();
                assertThat(f.fireAt()).isEqualTo(T0.plusSeconds(3600));
            });
        });

        Instance j = new Instance("i2", "TimerThenFail", null);
        j.fired(0);
        j.failed(1);
        c = j.rewind();
        assertThat(c.orchestrationMessages()).as("the timer fired before the failure").isEmpty();
        assertThat(j.history).filteredOn(HistoryEvent.TimerFired.class::isInstance).hasSize(1);
    }

    /**
     * A store that sends first and commits later (Azure Storage) runs a rewind episode again when a crash interrupted
     * its commit after the sends: the repeat must send the same message ids, so that the receivers drop the copies
     * (a child rewound twice, or started twice under different executions, would run its work again).
     */
    @Test
    void aRewindEpisodeRunAgain_sendsTheSameMessageIds() {
        Instance parent = new Instance("p1", "Parent", null);
        parent.deliver(new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0, 0, BOOM));
        Instance parallel = new Instance("i1", "Parallel", null);
        parallel.failed(0);
        Instance retried = new Instance("r1", "RetriedChild", null);
        retried.deliver(new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0, 0, BOOM));
        retried.fired(1);
        retried.deliver(new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0, 2, BOOM));
        for (Instance i : List.of(parent, parallel, retried)) {
            assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);
            TaskMessage rewind = new TaskMessage(Ids.random(), i.id, null, new HistoryEvent.ExecutionRewound(-1, T0, "fixed"), null);
            OrchestrationWorkItem item = new OrchestrationWorkItem(i.id, "lock", T0.plusSeconds(30), i.state, List.of(rewind), i.version, 1);
            Checkpoint first = runner.run(item, new ArrayList<>(i.history));
            Checkpoint again = runner.run(item, new ArrayList<>(i.history));
            assertThat(first.orchestrationMessages().size() + first.activityRequests().size()).as(i.id).isPositive();
            assertThat(again.orchestrationMessages()).as(i.id).isEqualTo(first.orchestrationMessages());
            assertThat(again.activityRequests()).as(i.id).isEqualTo(first.activityRequests());
        }
    }

    @Test
    void aFailedSubOrchestration_isAskedToRewind_notStartedAgain() {
        Instance parent = new Instance("p1", "Parent", null);
        assertThat(parent.last.orchestrationMessages()).singleElement()
                .satisfies(m -> assertThat(m.event()).isInstanceOf(HistoryEvent.ExecutionStarted.class));
        parent.deliver(new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0, 0, BOOM));
        assertThat(parent.status()).isEqualTo(RuntimeStatus.FAILED);

        Checkpoint c = parent.rewind();
        assertThat(c.activityRequests()).isEmpty();
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> {
            assertThat(m.instanceId()).isEqualTo("child-1");
            assertThat(m.event()).isInstanceOfSatisfying(HistoryEvent.ExecutionRewound.class,
                    r -> assertThat(r.reason()).isEqualTo("fixed"));
        });
        assertThat(parent.history).filteredOn(HistoryEvent.SubOrchestrationInstanceCreated.class::isInstance).hasSize(1);
        parent.deliver(new HistoryEvent.SubOrchestrationInstanceCompleted(-1, T0, 0, "\"x\""));
        assertThat(parent.state.output()).isEqualTo("\"x\"");
    }

    @Test
    void aSubOrchestrationRewoundByItsParent_rewindsInPlace_andAnswersTheParent() {
        HistoryEvent.ParentInstance parent = new HistoryEvent.ParentInstance("p1", "pe1", 7, "Parent");
        Instance child = new Instance("child-1", "Child", parent);
        child.failed(0);
        assertThat(child.status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(child.last.orchestrationMessages()).singleElement()
                .satisfies(m -> assertThat(m.event()).isInstanceOf(HistoryEvent.SubOrchestrationInstanceFailed.class));

        Checkpoint c = child.rewind();
        assertThat(taskIds(c)).containsExactly(0);
        assertThat(c.orchestrationMessages()).isEmpty();
        c = child.completed(0, "\"x\"");
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> {
            assertThat(m.instanceId()).isEqualTo("p1");
            assertThat(m.executionId()).isEqualTo("pe1");
            assertThat(m.event()).isEqualTo(new HistoryEvent.SubOrchestrationInstanceCompleted(-1, T0, 7, "\"x\""));
        });
    }

    @Test
    void aFinishedSubOrchestrationAskedToRewind_answersItsParentAgain_andARunningOneIgnoresIt() {
        HistoryEvent.ParentInstance parent = new HistoryEvent.ParentInstance("p1", "pe1", 3, "Parent");
        Instance completed = new Instance("child-1", "Child", parent);
        completed.completed(0, "\"x\"");
        long version = completed.version;
        Checkpoint c = completed.rewind();
        assertThat(c.changesHistory()).isFalse();
        assertThat(completed.version).isEqualTo(version);
        assertThat(completed.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> {
            assertThat(m.instanceId()).isEqualTo("p1");
            assertThat(m.event()).isEqualTo(new HistoryEvent.SubOrchestrationInstanceCompleted(-1, T0, 3, "\"x\""));
        });

        Instance terminated = new Instance("child-2", "Child", parent);
        terminated.deliver(new HistoryEvent.ExecutionTerminated(-1, T0, "stop", false));
        c = terminated.rewind();
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> assertThat(m.event())
                .isInstanceOfSatisfying(HistoryEvent.SubOrchestrationInstanceFailed.class, f -> {
                    assertThat(f.taskScheduledId()).isEqualTo(3);
                    assertThat(f.failureDetails().errorType()).isEqualTo("Terminated");
                }));

        Instance running = new Instance("child-3", "Child", parent);
        c = running.rewind();
        assertThat(running.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(c.activityRequests()).as("nothing asked for again").isEmpty();
        assertThat(c.orchestrationMessages()).isEmpty();
        assertThat(running.history).noneMatch(HistoryEvent.ExecutionRewound.class::isInstance);
    }

    @Test
    void aSubOrchestrationThatARetryStartedAgainUnderTheSameId_isStartedAgainForTheKeptCall() {
        Instance parent = new Instance("p1", "RetriedChild", null);
        parent.deliver(new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0, 0, BOOM));   // retry timer #1
        parent.fired(1);                                                                      // attempt 2 is #2
        parent.deliver(new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0, 2, BOOM));
        assertThat(parent.status()).isEqualTo(RuntimeStatus.FAILED);

        Checkpoint c = parent.rewind();
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> {
            assertThat(m.instanceId()).isEqualTo("child-1");
            assertThat(m.event()).isInstanceOfSatisfying(HistoryEvent.ExecutionStarted.class, s -> {
                assertThat(s.parent().taskScheduledId()).as("answers the kept call").isZero();
                assertThat(s.executionId()).isEqualTo(m.executionId());
            });
        });
    }

    @Test
    void anOrchestratorThatThrewItself_replaysToTheSamePoint_withoutRunningItsActivitiesAgain() {
        Instance i = new Instance("i1", "Throws", null);
        i.completed(0, "\"a\"");
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);
        codeFixed.set(true);
        Checkpoint c = i.rewind();
        assertThat(c.activityRequests()).isEmpty();
        assertThat(i.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(i.state.output()).isEqualTo("\"a\"");
        assertThat(i.types()).contains("ExecutionRewound").containsOnlyOnce("ExecutionCompleted");
    }

    @Test
    void callsAfterTheRewind_doNotReuseNumbersOfForgottenWork_soLateResultsOfThatWorkAreIgnored() {
        Instance i = new Instance("i1", "LateCleanup", null);
        i.failed(0);                 // Notify #1 and timer #2 are scheduled after the failure
        assertThat(taskIds(i.last)).containsExactly(1);
        i.fired(2);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        Checkpoint c = i.rewind();
        assertThat(taskIds(c)).containsExactly(0);
        i.completed(0, "\"a\"");
        assertThat(taskIds(i.last)).as("Step 'next' gets a number the failed execution never used").containsExactly(3);
        i.completed(1, "\"late notify result\"");
        assertThat(i.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(i.history).noneMatch(e -> e instanceof HistoryEvent.TaskCompleted t && t.taskScheduledId() == 1);
        i.completed(3, "\"next\"");
        assertThat(i.state.output()).isEqualTo("\"anext\"");
    }

    @Test
    void externalEventsThatArrivedAfterTheFailure_areKept() {
        Instance i = new Instance("i1", "WaitsForEvent", null);
        i.failed(0);                 // timer #1
        i.deliver(new HistoryEvent.EventRaised(-1, T0, "Go", "\"go\"", null));
        i.fired(1);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        i.rewind();
        assertThat(i.types()).containsSubsequence("OrchestratorStarted", "EventRaised", "OrchestratorCompleted", "ExecutionRewound");
        i.completed(0, "\"a\"");
        assertThat(i.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(i.state.output()).isEqualTo("\"ago\"");
    }

    @Test
    void anExternalEventThatArrivesWhileFailed_isKeptOnce_andTheRewoundInstanceReceivesIt() {
        Instance i = new Instance("i1", "WaitsForEvent", null);
        i.failed(0);                 // timer #1
        i.fired(1);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        // raised while the instance still ran, delivered after it failed (and delivered twice)
        HistoryEvent.EventRaised go = new HistoryEvent.EventRaised(-1, T0, "Go", "\"go\"", "event-1");
        Checkpoint kept = i.deliver(go);
        assertThat(kept.newEvents()).extracting(HistoryEvent::eventType)
                .containsExactly("OrchestratorStarted", "EventRaised", "OrchestratorCompleted");
        assertThat(kept.state().status()).isEqualTo(RuntimeStatus.FAILED);
        i.deliver(go);
        assertThat(i.history).filteredOn(HistoryEvent.EventRaised.class::isInstance).hasSize(1);

        i.rewind();
        i.completed(0, "\"a\"");
        assertThat(i.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(i.state.output()).isEqualTo("\"ago\"");

        // the same when the event comes in the rewind's work item, ahead of the rewind
        Instance j = new Instance("i2", "WaitsForEvent", null);
        j.failed(0);
        j.fired(1);
        j.deliver(go, new HistoryEvent.ExecutionRewound(-1, T0, "x"));
        j.completed(0, "\"a\"");
        assertThat(j.state.output()).isEqualTo("\"ago\"");
    }

    @Test
    void aSecondRewind_keepsTheFirstOnesNumbering() {
        Instance i = new Instance("i1", "LateCleanup", null);
        i.failed(0);
        i.fired(2);
        i.rewind();
        i.failed(0);                 // fails again after the rewind: Notify and the timer now get #3 and #4
        assertThat(taskIds(i.last)).containsExactly(3);
        i.fired(4);
        assertThat(i.status()).isEqualTo(RuntimeStatus.FAILED);

        Checkpoint c = i.rewind();
        assertThat(taskIds(c)).containsExactly(0);
        assertThat(i.history).filteredOn(HistoryEvent.ExecutionRewound.class::isInstance).extracting(HistoryEvent::eventId)
                .containsExactly(3, 5);
        i.completed(0, "\"a\"");
        assertThat(taskIds(i.last)).containsExactly(5);
        i.completed(5, "\"next\"");
        assertThat(i.state.output()).isEqualTo("\"anext\"");
    }
}

package dev.taskhub.internal;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.FailureDetails;
import dev.taskhub.orchestration.NonDeterministicOrchestrationException;
import dev.taskhub.orchestration.Task;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;
import dev.taskhub.worker.TaskRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The replay engine on hand-built work items, without a provider. */
class EpisodeRunnerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final List<Boolean> replayFlags = new ArrayList<>();
    private int runs;
    private final TaskRegistry registry = new TaskRegistry()
            .addOrchestrator("TwoSteps", ctx -> {
                replayFlags.add(ctx.isReplaying());
                String a = ctx.callActivity("Step", "a", String.class).await();
                replayFlags.add(ctx.isReplaying());
                return a + ctx.callActivity("Step", "b", String.class).await();
            })
            .addOrchestrator("Waits", ctx -> {
                runs++;
                return ctx.waitForExternalEvent("Go", String.class).await();
            })
            .addOrchestrator("TwoChildren", ctx -> ctx.allOf(List.of(
                    ctx.callSubOrchestrator("Child", null, "i1-a", String.class, null),
                    ctx.callSubOrchestrator("Child", null, "i1-b", String.class, null))).await())
            .addOrchestrator("CallsChild", ctx -> ctx.callSubOrchestrator("Child", null, "i1-child", String.class, null).await())
            .addOrchestrator("Everything", ctx -> {
                ctx.sendEvent("other", "Ping", 1);
                Task<String> activity = ctx.callActivity("Step", "a", String.class);
                Task<Void> timer = ctx.createTimer(ctx.getCurrentInstant().plusSeconds(60));
                Task<String> child = ctx.callSubOrchestrator("Child", null, "i1-child", String.class, null);
                ctx.allOf(List.of(activity, timer, child)).await();
                return null;
            })
            .addOrchestrator("Sleeps", ctx -> {
                ctx.createTimer(ctx.getCurrentInstant().plusSeconds(60)).await();
                return "woke";
            })
            .addOrchestrator("Counter", ctx -> {
                int n = ctx.getInput(Integer.class);
                String op = ctx.waitForExternalEvent("op", String.class).await();
                if (op.equals("add")) {
                    ctx.continueAsNew(n + 1);
                }
                return n;
            });
    private final EpisodeRunner runner = new EpisodeRunner(new TestRegistrations(registry), Clock.fixed(T0, ZoneOffset.UTC), 10);

    private static InstanceState pending() {
        return pending("TwoSteps");
    }

    private static InstanceState pending(String name) {
        return InstanceState.builder().instanceId("i1").name(name).executionId("e1").status(RuntimeStatus.PENDING)
                .createdAt(T0).lastUpdatedAt(T0).build();
    }

    private static TaskMessage message(HistoryEvent event) {
        return new TaskMessage(UUID.randomUUID().toString(), "i1", "e1", event, null);
    }

    private static OrchestrationWorkItem item(InstanceState state, long version, TaskMessage... messages) {
        return new OrchestrationWorkItem("i1", "lock", T0.plusSeconds(30), state, List.of(messages), version, 1);
    }

    private static TaskMessage start() {
        return start("TwoSteps", null);
    }

    private static TaskMessage start(String name, String input) {
        return message(new HistoryEvent.ExecutionStarted(-1, T0, name, null, input, "e1", null, null));
    }

    private static TaskMessage event(String name, String json) {
        String id = UUID.randomUUID().toString();
        return new TaskMessage(id, "i1", null, new HistoryEvent.EventRaised(-1, T0, name, json, id), null);
    }

    private static TaskMessage control(HistoryEvent event) {
        return new TaskMessage(UUID.randomUUID().toString(), "i1", null, event, null);
    }

    /** Runs episodes one after another, keeping the instance's state and history as a provider would. */
    private final class Instance {
        InstanceState state;
        List<HistoryEvent> history = new ArrayList<>();
        long version;

        Instance(InstanceState state) {
            this.state = state;
        }

        Checkpoint run(TaskMessage... messages) {
            Checkpoint c = runner.run(item(state, version, messages), history);
            if (c.state() != null) {
                state = c.state();
            }
            if (c.changesHistory()) {
                if (c.replaceHistory()) {
                    history = new ArrayList<>(c.newEvents());
                } else {
                    history.addAll(c.newEvents());
                }
                version++;
            }
            return c;
        }
    }

    private static List<String> types(List<HistoryEvent> events) {
        return events.stream().map(HistoryEvent::eventType).toList();
    }

    @Test
    void firstEpisode_schedulesTheFirstActivity_andIsNotReplaying() {
        Checkpoint c = runner.run(item(pending(), 0, start()), List.of());
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(c.activityRequests()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("Step");
            assertThat(r.taskId()).isZero();
            assertThat(r.input()).isEqualTo("\"a\"");
        });
        assertThat(c.newEvents()).extracting(HistoryEvent::eventType)
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted");
        assertThat(replayFlags).containsExactly(false);
    }

    @Test
    void laterEpisode_replaysRecordedHistory_thenRunsLive() {
        Checkpoint first = runner.run(item(pending(), 0, start()), List.of());
        List<HistoryEvent> history = new ArrayList<>(first.newEvents());
        replayFlags.clear();
        TaskMessage done = message(new HistoryEvent.TaskCompleted(-1, T0, 0, "\"A\""));
        Checkpoint second = runner.run(item(first.state(), 1, done, done), history);
        assertThat(replayFlags).containsExactly(true, false);
        assertThat(second.newEvents()).filteredOn(HistoryEvent.TaskCompleted.class::isInstance).as("duplicate dropped").hasSize(1);
        assertThat(second.activityRequests()).singleElement().satisfies(r -> assertThat(r.taskId()).isEqualTo(1));
        history.addAll(second.newEvents());
        Checkpoint third = runner.run(item(second.state(), 2, message(new HistoryEvent.TaskCompleted(-1, T0, 1, "\"B\""))), history);
        assertThat(third.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(third.state().output()).isEqualTo("\"AB\"");
    }

    @Test
    void historyThatDoesNotMatchTheCode_failsWithBothSidesNamed() {
        List<HistoryEvent> history = List.of(
                new HistoryEvent.OrchestratorStarted(-1, T0),
                new HistoryEvent.ExecutionStarted(-1, T0, "TwoSteps", null, null, "e1", null, null),
                new HistoryEvent.TaskScheduled(0, T0, "SomethingElse", null),
                new HistoryEvent.OrchestratorCompleted(-1, T0));
        InstanceState running = pending().withStatus(RuntimeStatus.RUNNING, T0);
        Checkpoint c = runner.run(item(running, 1, message(new HistoryEvent.TaskCompleted(-1, T0, 0, "\"x\""))), history);
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(c.state().failureDetails().errorType()).isEqualTo(NonDeterministicOrchestrationException.class.getName());
        assertThat(c.state().failureDetails().message()).contains("'SomethingElse'").contains("'Step'");
    }

    @Test
    void messagesForAnotherExecution_areDropped() {
        Checkpoint first = runner.run(item(pending(), 0, start()), List.of());
        TaskMessage stale = new TaskMessage("m", "i1", "old-execution", new HistoryEvent.TaskCompleted(-1, T0, 0, "\"A\""), null);
        Checkpoint c = runner.run(item(first.state(), 1, stale), first.newEvents());
        assertThat(c.newEvents()).noneMatch(HistoryEvent.TaskCompleted.class::isInstance);
        assertThat(c.activityRequests()).isEmpty();
    }

    // ---- terminate ---------------------------------------------------------------------------------------------

    @Test
    void terminate_endsAWaitingInstance_withTheReasonAsOutput() {
        Instance i = new Instance(pending("Waits"));
        i.run(start("Waits", null));
        Checkpoint c = i.run(control(new HistoryEvent.ExecutionTerminated(-1, T0, "no longer needed", false)));
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.TERMINATED);
        assertThat(c.state().output()).isEqualTo("\"no longer needed\"");
        assertThat(types(c.newEvents())).containsExactly("OrchestratorStarted", "ExecutionTerminated");
        assertThat(c.orchestrationMessages()).isEmpty();
        assertThat(c.activityRequests()).isEmpty();
        assertThat(runs).as("the orchestrator does not run again").isEqualTo(1);
        // a finished instance drops what still arrives
        Checkpoint late = i.run(event("Go", "\"late\""));
        assertThat(late.state()).isNull();
        assertThat(late.newEvents()).isEmpty();
    }

    @Test
    void terminate_recursive_terminatesTheRunningChildrenOnly_underTheSameIdsWhenRepeated() {
        Instance i = new Instance(pending("TwoChildren"));
        i.run(start("TwoChildren", null));
        i.run(message(new HistoryEvent.SubOrchestrationInstanceCompleted(-1, T0, 1, "\"b\"")));
        TaskMessage terminate = control(new HistoryEvent.ExecutionTerminated(-1, T0, "shutting down", true));
        Checkpoint c = runner.run(item(i.state, i.version, terminate), i.history);
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.TERMINATED);
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> {
            assertThat(m.instanceId()).isEqualTo("i1-a");
            assertThat(m.event()).isInstanceOfSatisfying(HistoryEvent.ExecutionTerminated.class, t -> {
                assertThat(t.recursive()).isTrue();
                assertThat(t.reason()).isEqualTo("shutting down");
            });
        });
        Checkpoint again = runner.run(item(i.state, i.version, terminate), i.history);
        assertThat(again.orchestrationMessages().get(0).messageId()).isEqualTo(c.orchestrationMessages().get(0).messageId());
    }

    @Test
    void terminate_ofASubOrchestration_tellsTheParentItFailed() {
        HistoryEvent.ParentInstance parent = new HistoryEvent.ParentInstance("p1", "pe1", 3, "Parent");
        TaskMessage childStart = message(new HistoryEvent.ExecutionStarted(-1, T0, "Waits", null, null, "e1", parent, null));
        Instance i = new Instance(null);
        assertThat(i.run(childStart).state().status()).as("a sub-orchestration starts without a row").isEqualTo(RuntimeStatus.RUNNING);
        Checkpoint c = i.run(control(new HistoryEvent.ExecutionTerminated(-1, T0, "stop", false)));
        assertThat(c.orchestrationMessages()).singleElement().satisfies(m -> {
            assertThat(m.instanceId()).isEqualTo("p1");
            assertThat(m.executionId()).isEqualTo("pe1");
            assertThat(m.event()).isInstanceOfSatisfying(HistoryEvent.SubOrchestrationInstanceFailed.class, f -> {
                assertThat(f.taskScheduledId()).isEqualTo(3);
                assertThat(f.failureDetails().errorType()).isEqualTo("Terminated");
            });
        });
    }

    @Test
    void terminate_beforeTheStart_isNotUndoneByTheStartMessage() {
        Instance i = new Instance(pending("Waits"));
        Checkpoint terminated = i.run(control(new HistoryEvent.ExecutionTerminated(-1, T0, "cancelled", false)));
        assertThat(terminated.state().status()).isEqualTo(RuntimeStatus.TERMINATED);
        Checkpoint c = i.run(start("Waits", null));
        assertThat(c.state()).as("the start of a terminated instance is dropped").isNull();
        assertThat(c.newEvents()).isEmpty();
        assertThat(i.state.status()).isEqualTo(RuntimeStatus.TERMINATED);
        assertThat(runs).isZero();
    }

    @Test
    void clientStart_withoutAnInstanceRow_isDropped() {
        Checkpoint c = runner.run(item(null, 0, start("Waits", null)), List.of());
        assertThat(c.state()).as("a purged instance is not re-created by its start message").isNull();
        assertThat(c.newEvents()).isEmpty();
        assertThat(runs).isZero();
    }

    // ---- suspend and resume ------------------------------------------------------------------------------------

    @Test
    void suspend_recordsArrivingEventsWithoutRunning_andResumeRunsWithThem() {
        Instance i = new Instance(pending("Waits"));
        i.run(start("Waits", null));
        Checkpoint suspended = i.run(control(new HistoryEvent.ExecutionSuspended(-1, T0, "maintenance")));
        assertThat(suspended.state().status()).isEqualTo(RuntimeStatus.SUSPENDED);
        TaskMessage go = event("Go", "\"kept\"");
        Checkpoint whileSuspended = i.run(go);
        assertThat(whileSuspended.state().status()).isEqualTo(RuntimeStatus.SUSPENDED);
        assertThat(types(whileSuspended.newEvents())).containsExactly("OrchestratorStarted", "EventRaised");
        assertThat(i.run(go).newEvents()).as("a repeated event").noneMatch(HistoryEvent.EventRaised.class::isInstance);
        assertThat(runs).isEqualTo(1);
        Checkpoint resumed = i.run(control(new HistoryEvent.ExecutionResumed(-1, T0, "done")));
        assertThat(resumed.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(resumed.state().output()).isEqualTo("\"kept\"");
    }

    @Test
    void suspend_beforeTheStart_recordsTheStart_butRunsOnlyAfterResume() {
        Instance i = new Instance(pending());
        Checkpoint suspended = i.run(control(new HistoryEvent.ExecutionSuspended(-1, T0, "hold")));
        assertThat(suspended.state().status()).isEqualTo(RuntimeStatus.SUSPENDED);
        assertThat(types(suspended.newEvents())).contains("ExecutionSuspended");
        Checkpoint started = i.run(start());
        assertThat(started.state().status()).isEqualTo(RuntimeStatus.SUSPENDED);
        assertThat(types(started.newEvents())).contains("ExecutionStarted");
        assertThat(started.activityRequests()).isEmpty();
        assertThat(replayFlags).isEmpty();
        Checkpoint resumed = i.run(control(new HistoryEvent.ExecutionResumed(-1, T0, "go")));
        assertThat(resumed.state().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(resumed.activityRequests()).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo("Step"));
    }

    @Test
    void resume_beforeTheStart_readsPending_andTheStartRunsTheOrchestrator() {
        Instance i = new Instance(pending());
        i.run(control(new HistoryEvent.ExecutionSuspended(-1, T0, "hold")));
        Checkpoint resumed = i.run(control(new HistoryEvent.ExecutionResumed(-1, T0, "release")));
        assertThat(resumed.state().status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(replayFlags).isEmpty();
        Checkpoint started = i.run(start());
        assertThat(started.state().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(started.activityRequests()).hasSize(1);
    }

    @Test
    void eventsRaisedBeforeTheStart_areKept() {
        Instance i = new Instance(pending("Waits"));
        Checkpoint early = i.run(event("Go", "\"early\""));
        assertThat(early.state().status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(runs).isZero();
        Checkpoint started = i.run(start("Waits", null));
        assertThat(started.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(started.state().output()).isEqualTo("\"early\"");
    }

    // ---- continue-as-new ---------------------------------------------------------------------------------------

    @Test
    void continueAsNew_startsAnExecutionWhoseIdIsTheSameWhenRepeated_andCarriesUnprocessedEvents() {
        Instance i = new Instance(pending("Counter"));
        i.run(start("Counter", "0"));
        TaskMessage add = event("op", "\"add\"");
        TaskMessage stop = event("op", "\"stop\"");
        Checkpoint c = runner.run(item(i.state, i.version, add, stop), i.history);
        Checkpoint repeated = runner.run(item(i.state, i.version, add, stop), i.history);
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.CONTINUED_AS_NEW);
        String next = c.state().executionId();
        assertThat(next).isNotEqualTo("e1").isEqualTo(repeated.state().executionId());
        assertThat(c.replaceHistory()).isTrue();
        assertThat(c.newEvents()).filteredOn(HistoryEvent.EventRaised.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((HistoryEvent.EventRaised) e).input()).isEqualTo("\"stop\""));
        TaskMessage newStart = c.orchestrationMessages().get(0);
        assertThat(newStart.executionId()).isEqualTo(next);
        assertThat(newStart.event()).isInstanceOfSatisfying(HistoryEvent.ExecutionStarted.class, s -> {
            assertThat(s.executionId()).isEqualTo(next);
            assertThat(s.input()).isEqualTo("1");
        });
        // the new execution starts (its start message) and consumes the carried event
        i.run(add, stop);
        Checkpoint done = i.run(newStart);
        assertThat(done.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(done.state().output()).isEqualTo("1");
        assertThat(done.state().executionId()).isEqualTo(next);
    }

    // ---- ids of what an episode sends --------------------------------------------------------------------------

    @Test
    void aRepeatedEpisode_sendsTheSameIds_andAnotherExecutionOrARewindOthers() {
        Checkpoint first = runner.run(item(pending("Everything"), 0, start("Everything", null)), List.of());
        Checkpoint again = runner.run(item(pending("Everything"), 0, start("Everything", null)), List.of());
        assertThat(ids(again)).isEqualTo(ids(first)).doesNotHaveDuplicates().hasSize(5);
        assertThat(first.orchestrationMessages()).anySatisfy(m -> assertThat(m.event())
                .isInstanceOfSatisfying(HistoryEvent.EventRaised.class, e -> assertThat(e.messageId()).isEqualTo(m.messageId())));

        InstanceState otherExecution = InstanceState.builder().instanceId("i1").name("Everything").executionId("e2")
                .status(RuntimeStatus.PENDING).createdAt(T0).lastUpdatedAt(T0).build();
        TaskMessage otherStart = message(new HistoryEvent.ExecutionStarted(-1, T0, "Everything", null, null, "e2", null, null));
        Checkpoint other = runner.run(item(otherExecution, 0, otherStart), List.of());
        assertThat(ids(other)).doesNotContainAnyElementsOf(ids(first));

        List<HistoryEvent> rewound = List.of(new HistoryEvent.OrchestratorStarted(-1, T0),
                new HistoryEvent.ExecutionStarted(-1, T0, "Everything", null, null, "e1", null, null),
                new HistoryEvent.ExecutionRewound(-1, T0, "again"));
        InstanceState running = pending("Everything").withStatus(RuntimeStatus.RUNNING, T0);
        Checkpoint afterRewind = runner.run(item(running, 1, event("Unrelated", null)), rewound);
        assertThat(ids(afterRewind)).hasSize(5).doesNotContainAnyElementsOf(ids(first));
    }

    /** Ids of the activity requests and orchestration messages, and the child execution ids. */
    private static List<String> ids(Checkpoint c) {
        List<String> ids = new ArrayList<>();
        c.activityRequests().forEach(r -> ids.add(r.messageId()));
        for (TaskMessage m : c.orchestrationMessages()) {
            ids.add(m.messageId());
            if (m.event() instanceof HistoryEvent.ExecutionStarted s) {
                ids.add(s.executionId());
            }
        }
        return ids;
    }

    @Test
    void aCompletionThatArrivesBeforeItsCallIsRecorded_answersTheCallWhenItIsMade() {
        // An earlier attempt of the first episode started the child and crashed before committing; the child finished.
        TaskMessage childDone = message(new HistoryEvent.SubOrchestrationInstanceCompleted(-1, T0, 0, "\"child result\""));
        Checkpoint crashedAttempt = runner.run(item(pending("CallsChild"), 0, start("CallsChild", null)), List.of());
        Checkpoint c = runner.run(item(pending("CallsChild"), 0, start("CallsChild", null), childDone), List.of());
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(c.state().output()).isEqualTo("\"child result\"");
        assertThat(c.orchestrationMessages()).as("the repeated child start, recognised by the child")
                .filteredOn(m -> m.event() instanceof HistoryEvent.ExecutionStarted)
                .extracting(TaskMessage::messageId, TaskMessage::executionId)
                .containsExactly(org.assertj.core.api.Assertions.tuple(crashedAttempt.orchestrationMessages().get(0).messageId(),
                        crashedAttempt.orchestrationMessages().get(0).executionId()));
        // also when it arrives before the start message is seen again
        Instance i = new Instance(pending("CallsChild"));
        Checkpoint early = i.run(childDone);
        assertThat(early.state().status()).isEqualTo(RuntimeStatus.PENDING);
        Checkpoint started = i.run(start("CallsChild", null), childDone);
        assertThat(started.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(started.state().output()).isEqualTo("\"child result\"");
        assertThat(started.newEvents()).as("the repeat is dropped")
                .noneMatch(HistoryEvent.SubOrchestrationInstanceCompleted.class::isInstance);
    }

    @Test
    void anEarlyFiringOfATimerMadeAgainForALaterTime_doesNotFireIt() {
        Instant earlierFireAt = T0.plusSeconds(50);   // the crashed attempt ran 10 s earlier
        TaskMessage earlyFired = message(new HistoryEvent.TimerFired(-1, earlierFireAt, 0, earlierFireAt));
        Instance i = new Instance(pending("Sleeps"));
        Checkpoint c = i.run(start("Sleeps", null), earlyFired);
        assertThat(c.state().status()).as("not woken before its time").isEqualTo(RuntimeStatus.RUNNING);
        TaskMessage timer = c.orchestrationMessages().get(0);
        assertThat(timer.visibleAt()).isEqualTo(T0.plusSeconds(60));
        Checkpoint fired = i.run(timer);
        assertThat(fired.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(fired.state().output()).isEqualTo("\"woke\"");
    }

    @Test
    void anEarlyFiringThatDoesNotAnswerTheTimerMadeInTheSameEpisode_isNotRecorded() {
        // a crashed attempt of the first episode sent its timer for T0+50 s; the repeat makes it for T0+60 s
        Instant earlierFireAt = T0.plusSeconds(50);
        Instance i = new Instance(pending("Sleeps"));
        Checkpoint c = i.run(start("Sleeps", null), message(new HistoryEvent.TimerFired(-1, earlierFireAt, 0, earlierFireAt)));
        assertThat(c.newEvents()).as("the crashed attempt's firing answers nothing").noneMatch(HistoryEvent.TimerFired.class::isInstance);
        Checkpoint fired = i.run(c.orchestrationMessages().get(0));
        assertThat(fired.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(i.history).filteredOn(HistoryEvent.TimerFired.class::isInstance).as("the timer fired once").hasSize(1);
    }

    @Test
    void aFiringForAnEarlierTimeThanTheRecordedTimer_isStale() {
        // the repeat of a crashed first episode recorded the timer for T0+60 s; the crashed attempt's firing comes later
        Instance i = new Instance(pending("Sleeps"));
        Checkpoint c = i.run(start("Sleeps", null));
        Instant earlierFireAt = T0.plusSeconds(50);
        Checkpoint stale = i.run(message(new HistoryEvent.TimerFired(-1, earlierFireAt, 0, earlierFireAt)));
        assertThat(stale.state().status()).as("not woken before the recorded time").isEqualTo(RuntimeStatus.RUNNING);
        assertThat(stale.newEvents()).noneMatch(HistoryEvent.TimerFired.class::isInstance);
        Checkpoint fired = i.run(c.orchestrationMessages().get(0));
        assertThat(fired.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(i.history).filteredOn(HistoryEvent.TimerFired.class::isInstance).hasSize(1);
    }

    @Test
    void aStaleCompletionForAnotherExecution_isNotKeptAsEarly() {
        Instance i = new Instance(pending("CallsChild"));
        TaskMessage stale = new TaskMessage("m", "i1", "old-execution",
                new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0, 0, new FailureDetails("X", "old", "")), null);
        Checkpoint c = i.run(start("CallsChild", null), stale);
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(c.newEvents()).noneMatch(HistoryEvent.SubOrchestrationInstanceFailed.class::isInstance);
    }

    @Test
    void aLateResultOfACallNumberARewindSkipped_isNotKeptAsEarly() {
        List<HistoryEvent> history = List.of(
                new HistoryEvent.OrchestratorStarted(-1, T0),
                new HistoryEvent.ExecutionStarted(-1, T0, "TwoSteps", null, null, "e1", null, null),
                new HistoryEvent.TaskScheduled(0, T0, "Step", "\"a\""),
                new HistoryEvent.OrchestratorCompleted(-1, T0),
                new HistoryEvent.OrchestratorStarted(-1, T0),
                new HistoryEvent.ExecutionRewound(5, T0, "retry"),
                new HistoryEvent.OrchestratorCompleted(-1, T0));
        InstanceState running = pending().withStatus(RuntimeStatus.RUNNING, T0);
        Checkpoint c = runner.run(item(running, 2, message(new HistoryEvent.TaskCompleted(-1, T0, 3, "\"dropped work\""))), history);
        assertThat(c.newEvents()).noneMatch(HistoryEvent.TaskCompleted.class::isInstance);
        Checkpoint early = runner.run(item(running, 2, message(new HistoryEvent.TaskCompleted(-1, T0, 5, "\"new call\""))), history);
        assertThat(early.newEvents()).as("a number above the cut").anyMatch(HistoryEvent.TaskCompleted.class::isInstance);
    }
}

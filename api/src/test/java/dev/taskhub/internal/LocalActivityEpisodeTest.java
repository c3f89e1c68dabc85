package dev.taskhub.internal;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.Task;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.worker.TaskRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Local activities in the replay engine: run in the episode, recorded with its checkpoint, replayed without running. */
class LocalActivityEpisodeTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<Integer> deliveries = new CopyOnWriteArrayList<>();
    private final Set<String> threads = ConcurrentHashMap.newKeySet();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    private final TaskRegistry registry = new TaskRegistry()
            .addOrchestrator("Chain", ctx -> {
                String out = "";
                for (String s : List.of("a", "b", "c")) {
                    out += ctx.callLocalActivity("Upper", s, String.class).await();
                }
                return out;
            })
            .addOrchestrator("LocalThenEvent", ctx -> {
                String a = ctx.callLocalActivity("Upper", "a", String.class).await();
                return a + ctx.waitForExternalEvent("Go", String.class).await();
            })
            .addOrchestrator("CatchesFailure", ctx -> {
                try {
                    return ctx.callLocalActivity("Boom", null, String.class).await();
                } catch (TaskFailedException e) {
                    return "caught " + e.failureDetails().errorType() + ": " + e.failureDetails().message();
                }
            })
            .addOrchestrator("RetriesQuickly", ctx -> ctx.callLocalActivity("FailsTwice", null, String.class,
                    RetryPolicy.builder(3, Duration.ofMillis(10)).build()).await())
            .addOrchestrator("RetriesLater", ctx -> ctx.callLocalActivity("FailsTwice", null, String.class,
                    RetryPolicy.builder(3, Duration.ofSeconds(5)).build()).await())
            .addOrchestrator("Parallel", ctx -> {
                List<Task<String>> tasks = new ArrayList<>();
                for (String s : List.of("x", "y", "z")) {
                    tasks.add(ctx.callLocalActivity("Upper", s, String.class));
                }
                return String.join("", ctx.allOf(tasks).await());
            })
            .addOrchestrator("Unknown", ctx -> ctx.callLocalActivity("Missing", null, String.class).await())
            .addActivity("Upper", ctx -> {
                runs.computeIfAbsent("Upper", k -> new AtomicInteger()).incrementAndGet();
                deliveries.add(ctx.getDeliveryCount());
                threads.add(Thread.currentThread().getName());
                return ctx.getInput(String.class).toUpperCase();
            })
            .addActivity("Boom", ctx -> {
                throw new IllegalArgumentException("no good");
            })
            .addActivity("FailsTwice", ctx -> {
                if (runs.computeIfAbsent("FailsTwice", k -> new AtomicInteger()).incrementAndGet() <= 2) {
                    throw new IllegalStateException("not yet");
                }
                return "third time";
            });

    private final EpisodeRunner runner = new EpisodeRunner(new TestRegistrations(registry), Clock.fixed(T0, ZoneOffset.UTC), 10,
            JsonDataConverter.DEFAULT, new LocalActivities(new TestRegistrations(registry), JsonDataConverter.DEFAULT, pool));

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private int runsOf(String activity) {
        AtomicInteger n = runs.get(activity);
        return n == null ? 0 : n.get();
    }

    private static InstanceState pending(String name) {
        return InstanceState.builder().instanceId("i1").name(name).executionId("e1").status(RuntimeStatus.PENDING)
                .createdAt(T0).lastUpdatedAt(T0).build();
    }

    private static TaskMessage message(HistoryEvent event) {
        return new TaskMessage(UUID.randomUUID().toString(), "i1", "e1", event, null);
    }

    private static TaskMessage start(String name) {
        return message(new HistoryEvent.ExecutionStarted(-1, T0, name, null, null, "e1", null, null));
    }

    private static OrchestrationWorkItem item(InstanceState state, long version, int deliveryCount, TaskMessage... messages) {
        return new OrchestrationWorkItem("i1", "lock", T0.plusSeconds(30), state, List.of(messages), version, deliveryCount);
    }

    private static List<String> types(Checkpoint c) {
        return c.newEvents().stream().map(HistoryEvent::eventType).toList();
    }

    @Test
    void aChainOfLocalActivities_completesInOneEpisode_withEachCallAndResultInTheCheckpoint() {
        Checkpoint c = runner.run(item(pending("Chain"), 0, 1, start("Chain")), List.of());

        assertThat(c.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(c.state().output()).isEqualTo("\"ABC\"");
        assertThat(c.activityRequests()).as("nothing goes through the activity queue").isEmpty();
        assertThat(types(c)).containsExactly("OrchestratorStarted", "ExecutionStarted",
                "TaskScheduled", "TaskCompleted", "TaskScheduled", "TaskCompleted", "TaskScheduled", "TaskCompleted",
                "ExecutionCompleted", "OrchestratorCompleted");
        assertThat(c.newEvents()).filteredOn(HistoryEvent.TaskScheduled.class::isInstance)
                .extracting(HistoryEvent::eventId).containsExactly(0, 1, 2);
        assertThat(runsOf("Upper")).isEqualTo(3);
    }

    @Test
    void aLaterEpisode_replaysTheRecordedResult_withoutRunningTheActivityAgain() {
        Checkpoint first = runner.run(item(pending("LocalThenEvent"), 0, 1, start("LocalThenEvent")), List.of());
        assertThat(first.state().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(runsOf("Upper")).isEqualTo(1);

        String eventId = UUID.randomUUID().toString();
        TaskMessage go = new TaskMessage(eventId, "i1", null, new HistoryEvent.EventRaised(-1, T0, "Go", "\"!\"", eventId), null);
        Checkpoint second = runner.run(item(first.state(), 1, 1, go), new ArrayList<>(first.newEvents()));

        assertThat(second.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(second.state().output()).isEqualTo("\"A!\"");
        assertThat(runsOf("Upper")).as("replayed from history").isEqualTo(1);
        assertThat(types(second)).doesNotContain("TaskScheduled", "TaskCompleted");
    }

    @Test
    void anEpisodeWhoseCheckpointWasNeverCommitted_runsTheActivityAgain_andCommitsTheSameHistory() {
        Checkpoint lost = runner.run(item(pending("Chain"), 0, 1, start("Chain")), List.of());
        // the worker stopped before committing: the work item comes back with the next delivery count
        Checkpoint again = runner.run(item(pending("Chain"), 0, 2, start("Chain")), List.of());

        assertThat(runsOf("Upper")).as("at least once: run again").isEqualTo(6);
        assertThat(deliveries).containsExactly(1, 1, 1, 2, 2, 2);
        assertThat(types(again)).isEqualTo(types(lost));
        assertThat(again.state().output()).isEqualTo("\"ABC\"");
    }

    @Test
    void aFailure_surfacesAsTaskFailedException_andIsRecordedAsTaskFailed() {
        Checkpoint c = runner.run(item(pending("CatchesFailure"), 0, 1, start("CatchesFailure")), List.of());

        assertThat(c.state().output()).isEqualTo("\"caught java.lang.IllegalArgumentException: no good\"");
        assertThat(c.newEvents()).filteredOn(HistoryEvent.TaskFailed.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((HistoryEvent.TaskFailed) e).taskScheduledId()).isZero());
    }

    @Test
    void shortRetryBackoffs_areWaitedInTheEpisode_eachAttemptRecorded() {
        Checkpoint c = runner.run(item(pending("RetriesQuickly"), 0, 1, start("RetriesQuickly")), List.of());

        assertThat(c.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(c.state().output()).isEqualTo("\"third time\"");
        assertThat(types(c)).containsExactly("OrchestratorStarted", "ExecutionStarted",
                "TaskScheduled", "TaskFailed", "TaskScheduled", "TaskFailed", "TaskScheduled", "TaskCompleted",
                "ExecutionCompleted", "OrchestratorCompleted");
        assertThat(c.orchestrationMessages()).as("no timer").isEmpty();
    }

    @Test
    void longRetryBackoffs_useADurableTimer_andTheNextAttemptRunsLocallyWhenItFires() {
        Checkpoint first = runner.run(item(pending("RetriesLater"), 0, 1, start("RetriesLater")), List.of());
        assertThat(types(first)).containsExactly("OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "TaskFailed",
                "TimerCreated", "OrchestratorCompleted");
        TaskMessage timer = first.orchestrationMessages().get(0);
        assertThat(timer.visibleAt()).isEqualTo(T0.plusSeconds(5));

        List<HistoryEvent> history = new ArrayList<>(first.newEvents());
        Checkpoint second = runner.run(item(first.state(), 1, 1, timer), history);
        assertThat(types(second)).containsExactly("OrchestratorStarted", "TimerFired", "TaskScheduled", "TaskFailed",
                "TimerCreated", "OrchestratorCompleted");
        history.addAll(second.newEvents());
        Checkpoint third = runner.run(item(second.state(), 2, 1, second.orchestrationMessages().get(0)), history);

        assertThat(third.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(third.state().output()).isEqualTo("\"third time\"");
        assertThat(runsOf("FailsTwice")).isEqualTo(3);
    }

    @Test
    void localCallsMadeBeforeOneWait_runTogether_andTheirResultsKeepCallOrder() {
        Checkpoint c = runner.run(item(pending("Parallel"), 0, 1, start("Parallel")), List.of());

        assertThat(c.state().output()).isEqualTo("\"XYZ\"");
        assertThat(c.newEvents()).filteredOn(HistoryEvent.TaskCompleted.class::isInstance)
                .extracting(e -> ((HistoryEvent.TaskCompleted) e).taskScheduledId()).containsExactly(0, 1, 2);
        assertThat(threads).as("ran on the pool").allMatch(name -> !name.equals(Thread.currentThread().getName()));
    }

    @Test
    void anActivityNotRegisteredOnTheWorker_failsTheCallWithAClearMessage() {
        Checkpoint c = runner.run(item(pending("Unknown"), 0, 1, start("Unknown")), List.of());

        assertThat(c.state().status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(c.state().failureDetails().message()).contains("'Missing'").contains("addActivity(\"Missing\"");
    }
}

package dev.taskhub.conformance;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local activities ({@code OrchestrationContext.callLocalActivity}) on the provider under test: the engine runs them
 * in the orchestration worker and stores each call and its result with the episode's checkpoint, so every provider
 * stores them with no provider code of its own.
 */
public abstract class LocalActivityConformanceTests extends ConformanceTestBase {
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    private int run(String key) {
        return runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    private int runsOf(String key) {
        AtomicInteger n = runs.get(key);
        return n == null ? 0 : n.get();
    }

    /**
     * A worker with a long lock lease: these tests count runs, and a lease that expires on a loaded machine would make
     * the worker run an episode (and its local activities) again, which is allowed but not what they check.
     */
    private void startLocalWorker(StorageProvider on, Consumer<TaskHubWorker.Builder> registrations) {
        startWorker(on, testOptions().lockLease(Duration.ofSeconds(60)).build(), registrations);
    }

    private long count(String instanceId, Class<? extends HistoryEvent> type) {
        return client.getHistory(instanceId).stream().filter(type::isInstance).count();
    }

    @Test
    void aChainOfLocalActivities_completesInOneEpisode_eachRunOnceAndRecorded() {
        startLocalWorker(provider, w -> w
                .addOrchestrator("LocalChain", ctx -> {
                    StringBuilder out = new StringBuilder();
                    for (String s : List.of("a", "b", "c", "d", "e")) {
                        out.append(ctx.callLocalActivity("Upper", s, String.class).await());
                    }
                    return out.toString();
                })
                .addActivity("Upper", ctx -> {
                    run(ctx.getInput(String.class));
                    return ctx.getInput(String.class).toUpperCase();
                }));
        String id = client.scheduleNewOrchestrationInstance("LocalChain");

        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("ABCDE");
        assertThat(List.of("a", "b", "c", "d", "e")).allSatisfy(s -> assertThat(runsOf(s)).as("runs of %s", s).isEqualTo(1));
        assertThat(count(id, HistoryEvent.TaskScheduled.class)).isEqualTo(5);
        assertThat(count(id, HistoryEvent.TaskCompleted.class)).isEqualTo(5);
        assertThat(count(id, HistoryEvent.OrchestratorStarted.class)).as("one episode, one checkpoint").isEqualTo(1);
    }

    @Test
    void aRecordedResult_isReplayedInLaterEpisodes_withoutRunningTheActivityAgain() {
        startLocalWorker(provider, w -> w
                .addOrchestrator("LocalThenWait", ctx -> {
                    String first = ctx.callLocalActivity("Count", "first", String.class).await();
                    String go = ctx.waitForExternalEvent("Go", String.class).await();
                    return first + go + ctx.callLocalActivity("Count", "second", String.class).await();
                })
                .addActivity("Count", ctx -> ctx.getInput(String.class) + run(ctx.getInput(String.class))));
        String id = client.scheduleNewOrchestrationInstance("LocalThenWait");
        awaitRecorded(id, 1);
        client.raiseEvent(id, "Go", "-");

        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("first1-second1");
        assertThat(runsOf("first")).isEqualTo(1);
        assertThat(runsOf("second")).isEqualTo(1);
    }

    @Test
    void theRetryPolicy_isHonoured_withShortBackoffsInTheEpisodeAndLongOnesOnADurableTimer() {
        startLocalWorker(provider, w -> w
                .addOrchestrator("LocalRetries", ctx -> {
                    String quick = ctx.callLocalActivity("FailsTwice", "quick", String.class,
                            RetryPolicy.builder(3, Duration.ofMillis(20)).build()).await();
                    String slow = ctx.callLocalActivity("FailsTwice", "slow", String.class,
                            RetryPolicy.builder(3, Duration.ofMillis(1100)).backoffCoefficient(1.0).build()).await();
                    return quick + "," + slow;
                })
                .addActivity("FailsTwice", ctx -> {
                    int attempt = run(ctx.getInput(String.class));
                    if (attempt <= 2) {
                        throw new IllegalStateException("attempt " + attempt + " fails");
                    }
                    return ctx.getInput(String.class) + attempt;
                }));
        String id = client.scheduleNewOrchestrationInstance("LocalRetries");

        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("quick3,slow3");
        assertThat(count(id, HistoryEvent.TaskScheduled.class)).as("each attempt recorded").isEqualTo(6);
        assertThat(count(id, HistoryEvent.TaskFailed.class)).isEqualTo(4);
        assertThat(count(id, HistoryEvent.TimerCreated.class)).as("only the long back-offs are timers").isEqualTo(2);
    }

    @Test
    void aFailureAfterTheLastAttempt_surfacesAsTaskFailedException() {
        startLocalWorker(provider, w -> w
                .addOrchestrator("LocalFails", ctx -> {
                    try {
                        ctx.callLocalActivity("AlwaysFails", "x", String.class, RetryPolicy.builder(2, Duration.ofMillis(10)).build()).await();
                        return "not reached";
                    } catch (TaskFailedException e) {
                        return e.taskName() + " " + e.failureDetails().errorType() + " " + e.failureDetails().message();
                    }
                })
                .addOrchestrator("LocalFailsUncaught", ctx -> ctx.callLocalActivity("AlwaysFails", "y", String.class).await())
                .addActivity("AlwaysFails", ctx -> {
                    throw new IllegalArgumentException("bad input " + ctx.getInput(String.class) + " #" + run(ctx.getInput(String.class)));
                }));
        String caught = client.scheduleNewOrchestrationInstance("LocalFails");
        String uncaught = client.scheduleNewOrchestrationInstance("LocalFailsUncaught");

        assertThat(awaitStatus(caught, RuntimeStatus.COMPLETED).readOutputAs(String.class))
                .isEqualTo("AlwaysFails java.lang.IllegalArgumentException bad input x #2");
        OrchestrationMetadata failed = awaitStatus(uncaught, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().errorType()).isEqualTo(TaskFailedException.class.getName());
        assertThat(failed.failureDetails().orElseThrow().message()).contains("AlwaysFails").contains("bad input y #1");
    }

    @Test
    void aCrashAfterTheActivityRanAndBeforeTheCheckpoint_runsItAgain_andTheOrchestrationCompletesOnce() {
        InterceptingProvider crashing = new InterceptingProvider(provider);
        crashing.loseOnce(c -> c.newEvents().stream().anyMatch(HistoryEvent.TaskCompleted.class::isInstance));
        startLocalWorker(crashing, w -> w
                .addOrchestrator("LocalCrash", ctx -> {
                    String a = ctx.callLocalActivity("Charge", "a", String.class).await();
                    String b = ctx.callLocalActivity("Charge", "b", String.class).await();
                    return a + b;
                })
                .addActivity("Charge", ctx -> ctx.getInput(String.class) + run(ctx.getInput(String.class))
                        + "@" + ctx.getDeliveryCount()));
        String id = client.scheduleNewOrchestrationInstance("LocalCrash");

        OrchestrationMetadata done = awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThat(runsOf("a")).as("at least once: ran again after the lost checkpoint").isEqualTo(2);
        assertThat(runsOf("b")).isEqualTo(2);
        // the result committed is the one of the run whose checkpoint was committed: the second delivery
        assertThat(done.readOutputAs(String.class)).isEqualTo("a2@2b2@2");
        assertThat(count(id, HistoryEvent.TaskScheduled.class)).as("recorded once").isEqualTo(2);
        assertThat(count(id, HistoryEvent.TaskCompleted.class)).isEqualTo(2);
        assertThat(count(id, HistoryEvent.ExecutionCompleted.class)).isEqualTo(1);
    }

    /** Waits until the instance's history records {@code n} completed local calls. */
    private void awaitRecorded(String instanceId, int n) {
        org.awaitility.Awaitility.await().atMost(WAIT)
                .until(() -> count(instanceId, HistoryEvent.TaskCompleted.class) >= n
                        && count(instanceId, HistoryEvent.OrchestratorCompleted.class) >= 1);
    }
}

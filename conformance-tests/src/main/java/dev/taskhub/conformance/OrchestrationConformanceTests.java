package dev.taskhub.conformance;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.NonDeterministicOrchestrationException;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.Task;
import dev.taskhub.orchestration.TaskCanceledException;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.support.ForwardingStorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The programming model end to end: every feature of {@code OrchestrationContext} on the provider under test. */
public abstract class OrchestrationConformanceTests extends ConformanceTestBase {
    private static final Map<String, AtomicInteger> COUNTERS = new ConcurrentHashMap<>();

    private static AtomicInteger counter(String key) {
        return COUNTERS.computeIfAbsent(key, k -> new AtomicInteger());
    }

    /**
     * Closing a worker commits the episode in hand: an interrupt would cut the commit short, which on a store that
     * commits in several steps (Azure Storage) leaves part of it applied and its messages hidden until they time out.
     */
    @Test
    void close_commitsTheEpisodeInHandWithoutInterruptingIt() throws Exception {
        CountDownLatch committing = new CountDownLatch(1);
        CountDownLatch closing = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        StorageProvider slowCommits = new ForwardingStorageProvider(provider) {
            @Override
            public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
                committing.countDown();
                try {
                    // a commit of several storage requests, still in progress a while after close() began
                    closing.await(30, TimeUnit.SECONDS);
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    interrupted.set(true);
                    Thread.currentThread().interrupt();
                }
                return super.commitCheckpoints(checkpoints);
            }
        };
        // orchestrations only: the close goes straight to the orchestration threads
        TaskHubWorker worker = startWorker(slowCommits, testOptions().processActivities(false).build(),
                w -> w.addOrchestrator("Quick", ctx -> "done"));
        String id = client.scheduleNewOrchestrationInstance("Quick");
        assertThat(committing.await(30, TimeUnit.SECONDS)).as("the episode reached its commit").isTrue();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(worker::close);
        closing.countDown();
        closed.get(30, TimeUnit.SECONDS);
        assertThat(interrupted).as("the commit in progress was interrupted by close()").isFalse();
        assertThat(client.getInstanceMetadata(id, false).map(OrchestrationMetadata::runtimeStatus)).contains(RuntimeStatus.COMPLETED);
    }

    @Test
    void sequence_chainsActivitiesInOrder() {
        startWorker(w -> w
                .addOrchestrator("Seq", ctx -> {
                    List<String> out = new ArrayList<>();
                    for (String city : List.of("Tokyo", "Seattle", "London")) {
                        out.add(ctx.callActivity("Hello", city, String.class).await());
                    }
                    return out;
                })
                .addActivity("Hello", ctx -> "Hello " + ctx.getInput(String.class) + "!"));
        String id = client.scheduleNewOrchestrationInstance("Seq");
        OrchestrationMetadata done = awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThat(done.serializedOutput()).isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
    }

    @Test
    void fanOutFanIn_runsHundredActivitiesInParallelAndSums() {
        startWorker(w -> w
                .addOrchestrator("Fan", ctx -> {
                    List<Task<Integer>> tasks = new ArrayList<>();
                    for (int i = 1; i <= 100; i++) {
                        tasks.add(ctx.callActivity("Double", i, Integer.class));
                    }
                    return ctx.allOf(tasks).await().stream().mapToInt(Integer::intValue).sum();
                })
                .addActivity("Double", ctx -> ctx.getInput(Integer.class) * 2));
        String id = client.scheduleNewOrchestrationInstance("Fan");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(Integer.class)).isEqualTo(10100);
        long scheduled = client.getHistory(id).stream().filter(HistoryEvent.TaskScheduled.class::isInstance).count();
        assertThat(scheduled).isEqualTo(100);
    }

    @Test
    void timer_neverFiresEarly() {
        startWorker(w -> w
                .addOrchestrator("Timer", ctx -> {
                    Instant fireAt = ctx.getCurrentInstant().plusMillis(1500);
                    ctx.createTimer(fireAt).await();
                    return fireAt.toString();
                })
                .addActivity("Noop", ctx -> null));
        String id = client.scheduleNewOrchestrationInstance("Timer");
        OrchestrationMetadata done = awaitStatus(id, RuntimeStatus.COMPLETED);
        Instant fireAt = Instant.parse(done.readOutputAs(String.class));
        HistoryEvent.TimerFired fired = client.getHistory(id).stream()
                .filter(HistoryEvent.TimerFired.class::isInstance).map(HistoryEvent.TimerFired.class::cast).findFirst().orElseThrow();
        assertThat(fired.fireAt()).isEqualTo(fireAt);
        // The episode that applied the timer started at or after the fire time.
        assertThat(fired.timestamp()).isAfterOrEqualTo(fireAt);
    }

    @Test
    void externalEvent_raisedBeforeTheOrchestratorWaits_isBuffered() {
        startWorker(w -> w
                .addOrchestrator("Buffered", ctx -> {
                    ctx.createTimer(Duration.ofMillis(300)).await();
                    return ctx.waitForExternalEvent("Go", String.class).await();
                }));
        String id = client.scheduleNewOrchestrationInstance("Buffered");
        client.raiseEvent(id, "Go", "early");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("early");
    }

    @Test
    void externalEvent_raisedWhileWaiting_isDelivered() {
        startWorker(w -> w.addOrchestrator("Waits", ctx -> ctx.waitForExternalEvent("Approval", Boolean.class).await()));
        String id = client.scheduleNewOrchestrationInstance("Waits");
        client.waitForInstanceStart(id, WAIT);
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.OrchestratorCompleted.class::isInstance));
        client.raiseEvent(id, "Approval", true);
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(Boolean.class)).isTrue();
    }

    @Test
    void externalEvents_ofOneName_areDeliveredInArrivalOrder() {
        startWorker(w -> w.addOrchestrator("Collect", ctx -> {
            List<Integer> got = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                got.add(ctx.waitForExternalEvent("Item", Integer.class).await());
            }
            return got;
        }));
        String id = client.scheduleNewOrchestrationInstance("Collect");
        for (int i = 0; i < 20; i++) {
            client.raiseEvent(id, "Item", i);
        }
        Integer[] expected = new Integer[20];
        for (int i = 0; i < 20; i++) {
            expected[i] = i;
        }
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(Integer[].class)).containsExactly(expected);
    }

    @Test
    void waitForExternalEvent_withTimeout_failsWithTaskCanceled() {
        startWorker(w -> w.addOrchestrator("Timeout", ctx -> {
            try {
                ctx.waitForExternalEvent("Never", Duration.ofMillis(500), String.class).await();
                return "received";
            } catch (TaskCanceledException e) {
                return "timed out";
            }
        }));
        String id = client.scheduleNewOrchestrationInstance("Timeout");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("timed out");
    }

    @Test
    void anyOf_returnsTheFirstTaskToComplete() {
        startWorker(w -> w
                .addOrchestrator("Race", ctx -> {
                    Task<String> fast = ctx.callActivity("Echo", "fast", String.class);
                    Task<Void> slow = ctx.createTimer(Duration.ofSeconds(60));
                    return ctx.anyOf(List.of(fast, slow)).await() == fast ? fast.await() : "timer";
                })
                .addActivity("Echo", ctx -> ctx.getInput(String.class)));
        String id = client.scheduleNewOrchestrationInstance("Race");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("fast");
    }

    @Test
    void subOrchestration_returnsItsOutputToTheParent() {
        startWorker(w -> w
                .addOrchestrator("Parent", ctx -> {
                    String a = ctx.callSubOrchestrator("Child", "a", String.class).await();
                    String b = ctx.callSubOrchestrator("Child", "b", ctx.getInstanceId() + "-child-b", String.class, null).await();
                    return a + b;
                })
                .addOrchestrator("Child", ctx -> ctx.callActivity("Upper", ctx.getInput(String.class), String.class).await())
                .addActivity("Upper", ctx -> ctx.getInput(String.class).toUpperCase()));
        String id = client.scheduleNewOrchestrationInstance("Parent");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("AB");
        OrchestrationMetadata child = client.getInstanceMetadata(id + "-child-b", true).orElseThrow();
        assertThat(child.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(child.parentInstanceId()).isEqualTo(id);
    }

    @Test
    void subOrchestration_failure_surfacesAsTaskFailedExceptionInTheParent() {
        startWorker(w -> w
                .addOrchestrator("Parent", ctx -> {
                    try {
                        ctx.callSubOrchestrator("Failing", null, String.class).await();
                        return "no failure";
                    } catch (TaskFailedException e) {
                        return e.failureDetails().message();
                    }
                })
                .addOrchestrator("Failing", ctx -> {
                    throw new IllegalStateException("child broke");
                }));
        String id = client.scheduleNewOrchestrationInstance("Parent");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("child broke");
    }

    @Test
    void continueAsNew_restartsWithNewInputAndFreshHistory() {
        startWorker(w -> w.addOrchestrator("Loop", ctx -> {
            int n = ctx.getInput(Integer.class);
            if (n < 5) {
                ctx.continueAsNew(n + 1);
            }
            return n;
        }));
        String id = client.scheduleNewOrchestrationInstance("Loop", 0);
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(Integer.class)).isEqualTo(5);
        List<HistoryEvent> history = client.getHistory(id);
        assertThat(history.stream().filter(HistoryEvent.ExecutionStarted.class::isInstance)).hasSize(1);
        assertThat(history.stream().filter(HistoryEvent.ExecutionStarted.class::isInstance).map(e -> ((HistoryEvent.ExecutionStarted) e).input()))
                .containsExactly("5");
    }

    @Test
    void continueAsNew_carriesUnprocessedEventsOver() {
        startWorker(w -> w.addOrchestrator("Counter", ctx -> {
            int n = ctx.getInput(Integer.class);
            String op = ctx.waitForExternalEvent("op", String.class).await();
            if (op.equals("stop")) {
                return n;
            }
            ctx.continueAsNew(n + 1);
            return null;
        }));
        String id = client.scheduleNewOrchestrationInstance("Counter", 0);
        for (int i = 0; i < 5; i++) {
            client.raiseEvent(id, "op", "add");
        }
        client.raiseEvent(id, "op", "stop");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(Integer.class)).isEqualTo(5);
    }

    @Test
    void retryPolicy_retriesAFailingActivityUntilItSucceeds() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> w
                .addOrchestrator("Retry", ctx -> ctx.callActivity("Flaky", key, String.class,
                        RetryPolicy.builder(4, Duration.ofMillis(100)).backoffCoefficient(2).build()).await())
                .addActivity("Flaky", ctx -> {
                    if (counter(ctx.getInput(String.class)).incrementAndGet() < 3) {
                        throw new IllegalStateException("transient");
                    }
                    return "ok after " + counter(ctx.getInput(String.class)).get();
                }));
        String id = client.scheduleNewOrchestrationInstance("Retry");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("ok after 3");
        assertThat(client.getHistory(id).stream().filter(HistoryEvent.TaskFailed.class::isInstance)).hasSize(2);
    }

    @Test
    void retryPolicy_givesUpAfterMaxAttempts_andHonoursTheHandlePredicate() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> w
                .addOrchestrator("Retry", ctx -> {
                    try {
                        ctx.callActivity("AlwaysFails", key, String.class, RetryPolicy.builder(3, Duration.ofMillis(50)).build()).await();
                        return "unexpected";
                    } catch (TaskFailedException e) {
                        try {
                            ctx.callActivity("AlwaysFails", key + "-b", String.class, RetryPolicy.builder(5, Duration.ofMillis(50))
                                    .handle(f -> !f.isCausedBy(IllegalArgumentException.class)).build()).await();
                            return "unexpected";
                        } catch (TaskFailedException second) {
                            return e.failureDetails().errorType();
                        }
                    }
                })
                .addActivity("AlwaysFails", ctx -> {
                    counter(ctx.getInput(String.class)).incrementAndGet();
                    throw new IllegalArgumentException("permanent");
                }));
        String id = client.scheduleNewOrchestrationInstance("Retry");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(counter(key).get()).isEqualTo(3);
        assertThat(counter(key + "-b").get()).as("non-retryable failure is not retried").isEqualTo(1);
    }

    @Test
    void activityFailure_isCatchableWithFailureDetails() {
        startWorker(w -> w
                .addOrchestrator("Catch", ctx -> {
                    try {
                        ctx.callActivity("Boom", null, String.class).await();
                        return "unexpected";
                    } catch (TaskFailedException e) {
                        FailureDetails d = e.failureDetails();
                        return d.errorType() + "|" + d.message() + "|" + !d.stackTrace().isEmpty();
                    }
                })
                .addActivity("Boom", ctx -> {
                    throw new UnsupportedOperationException("no way");
                }));
        String id = client.scheduleNewOrchestrationInstance("Catch");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class))
                .isEqualTo(UnsupportedOperationException.class.getName() + "|no way|true");
    }

    @Test
    void uncaughtFailure_failsTheInstanceWithDetails() {
        startWorker(w -> w
                .addOrchestrator("Uncaught", ctx -> ctx.callActivity("Boom", null, String.class).await())
                .addActivity("Boom", ctx -> {
                    throw new IllegalStateException("disk full");
                }));
        String id = client.scheduleNewOrchestrationInstance("Uncaught");
        OrchestrationMetadata failed = awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails()).get().satisfies(d -> {
            assertThat(d.errorType()).isEqualTo(TaskFailedException.class.getName());
            assertThat(d.message()).contains("disk full");
        });
    }

    @Test
    void customStatus_isVisibleWhileRunningAndAfterwards() {
        startWorker(w -> w.addOrchestrator("Status", ctx -> {
            ctx.setCustomStatus(Map.of("stage", "waiting"));
            ctx.waitForExternalEvent("Go", Void.class).await();
            ctx.setCustomStatus(Map.of("stage", "done"));
            return null;
        }));
        String id = client.scheduleNewOrchestrationInstance("Status");
        await().atMost(WAIT).until(() -> client.getInstanceMetadata(id, false).map(m -> m.serializedCustomStatus() != null).orElse(false));
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().serializedCustomStatus()).isEqualTo("{\"stage\":\"waiting\"}");
        client.raiseEvent(id, "Go", null);
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).serializedCustomStatus()).isEqualTo("{\"stage\":\"done\"}");
    }

    @Test
    void sendEvent_deliversToAnotherInstance() {
        startWorker(w -> w
                .addOrchestrator("Receiver", ctx -> ctx.waitForExternalEvent("Ping", String.class).await())
                .addOrchestrator("Sender", ctx -> {
                    ctx.sendEvent(ctx.getInput(String.class), "Ping", "from sender");
                    return null;
                }));
        String receiver = client.scheduleNewOrchestrationInstance("Receiver");
        client.scheduleNewOrchestrationInstance("Sender", receiver);
        assertThat(awaitStatus(receiver, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("from sender");
    }

    @Test
    void deterministicHelpers_areStableAcrossReplays() {
        AtomicReference<String> firstRun = new AtomicReference<>();
        startWorker(w -> w
                .addOrchestrator("Det", ctx -> {
                    String values = ctx.newUuid() + "|" + ctx.getCurrentInstant();
                    if (!ctx.isReplaying()) {
                        firstRun.compareAndSet(null, values);
                    }
                    ctx.callActivity("Noop", null).await();
                    ctx.callActivity("Noop", null).await();
                    return values;
                })
                .addActivity("Noop", ctx -> null));
        String id = client.scheduleNewOrchestrationInstance("Det");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo(firstRun.get());
    }

    @Test
    void unknownOrchestratorName_failsTheInstanceWithAClearMessage() {
        startWorker(w -> w.addOrchestrator("Known", ctx -> null));
        String id = client.scheduleNewOrchestrationInstance("DoesNotExist");
        OrchestrationMetadata failed = awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().message()).contains("No orchestrator named 'DoesNotExist'").contains("Known");
    }

    @Test
    void unknownActivityName_failsTheCallWithAClearMessage() {
        startWorker(w -> w.addOrchestrator("CallsMissing", ctx -> ctx.callActivity("Missing", null, String.class).await()));
        String id = client.scheduleNewOrchestrationInstance("CallsMissing");
        OrchestrationMetadata failed = awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().message()).contains("No activity named 'Missing'");
    }

    @Test
    void nonDeterministicCode_failsTheInstanceNamingBothSides() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> w
                .addOrchestrator("Changes", ctx -> {
                    // The first run calls A; every replay calls B instead, as if the code had been changed.
                    String name = counter(key).getAndIncrement() == 0 ? "A" : "B";
                    ctx.callActivity(name, null).await();
                    return null;
                })
                .addActivity("A", ctx -> null)
                .addActivity("B", ctx -> null));
        String id = client.scheduleNewOrchestrationInstance("Changes");
        OrchestrationMetadata failed = awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().errorType()).isEqualTo(NonDeterministicOrchestrationException.class.getName());
        assertThat(failed.failureDetails().orElseThrow().message()).contains("'A'").contains("'B'");
    }

    @Test
    void scheduledStart_neverStartsEarly() {
        startWorker(w -> w.addOrchestrator("Later", ctx -> ctx.getCurrentInstant().toString()));
        Instant startAt = Instant.now().plusMillis(1500);
        String id = client.scheduleNewOrchestrationInstance("Later", null,
                dev.taskhub.client.NewOrchestrationOptions.defaults().withStartAt(startAt));
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.PENDING);
        Instant ranAt = Instant.parse(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class));
        assertThat(ranAt).isAfterOrEqualTo(startAt);
    }
}

package dev.taskhub.internal;

import dev.taskhub.FailureDetails;
import dev.taskhub.activity.Activity;
import dev.taskhub.activity.ActivityContext;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.history.HistoryEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Runs the local activities of an episode inside the orchestration worker: one call on the episode's own thread,
 * several at once on a bounded pool shared by the worker's episodes. Each call yields its completion event
 * ({@code TaskCompleted} or {@code TaskFailed}), which the episode commits with its checkpoint. Thread-safe.
 */
public final class LocalActivities {
    /** A local activity call of one episode; {@code backoff} is the retry back-off to wait before running it. */
    record Call(int id, String name, String input, Duration backoff) {}

    private final Registrations registry;
    private final DataConverter converter;
    /** Null: calls run one after the other on the episode's thread. */
    private final ExecutorService pool;

    /**
     * @param pool runs several calls of one episode at once; null to run them one after the other. The caller owns it
     *             (and shuts it down).
     */
    public LocalActivities(Registrations registry, DataConverter converter, ExecutorService pool) {
        this.registry = registry;
        this.converter = converter;
        this.pool = pool;
    }

    /** The completion events of the calls, in the calls' order, each stamped {@code now} (the episode's time). */
    List<HistoryEvent> run(String instanceId, int deliveryCount, List<Call> calls, Instant now) {
        if (pool == null || calls.size() == 1) {
            List<HistoryEvent> out = new ArrayList<>(calls.size());
            for (Call call : calls) {
                out.add(runOne(instanceId, deliveryCount, call, now));
            }
            return out;
        }
        List<CompletableFuture<HistoryEvent>> futures = new ArrayList<>(calls.size());
        for (Call call : calls) {
            futures.add(CompletableFuture.supplyAsync(() -> runOne(instanceId, deliveryCount, call, now), pool));
        }
        List<HistoryEvent> out = new ArrayList<>(calls.size());
        for (CompletableFuture<HistoryEvent> f : futures) {
            try {
                out.add(f.join());
            } catch (CompletionException e) {
                // only an interrupted back-off gets here (activity failures are results): the episode is retried
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return out;
    }

    private HistoryEvent runOne(String instanceId, int deliveryCount, Call call, Instant now) {
        if (!call.backoff().isZero() && !call.backoff().isNegative()) {
            try {
                Thread.sleep(call.backoff().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting to retry local activity '" + call.name()
                        + "' of instance '" + instanceId + "'; the episode will run again.", e);
            }
        }
        Activity<?> activity = registry.activity(call.name()).orElse(null);
        if (activity == null) {
            return new HistoryEvent.TaskFailed(-1, now, call.id(), new FailureDetails("ActivityNotFound",
                    "No activity named '" + call.name() + "' is registered on this worker (registered: " + registry.activityNames()
                            + "). A local activity runs on the worker that runs its orchestrator: register it there with addActivity(\""
                            + call.name() + "\", ...).", ""));
        }
        try {
            Object result = activity.run(new Context(instanceId, deliveryCount, call, converter));
            return new HistoryEvent.TaskCompleted(-1, now, call.id(), converter.serialize(result));
        } catch (Exception | Error e) {
            return new HistoryEvent.TaskFailed(-1, now, call.id(), FailureDetails.of(e));
        }
    }

    private record Context(String instanceId, int deliveryCount, Call call, DataConverter converter) implements ActivityContext {
        @Override
        public String getName() {
            return call.name();
        }

        @Override
        public String getInstanceId() {
            return instanceId;
        }

        @Override
        public int getTaskId() {
            return call.id();
        }

        @Override
        public int getDeliveryCount() {
            return deliveryCount;
        }

        @Override
        public <T> T getInput(Class<T> type) {
            return converter.deserialize(call.input(), type);
        }
    }
}

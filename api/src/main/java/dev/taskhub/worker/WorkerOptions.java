package dev.taskhub.worker;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.observe.TaskHubObserver;
import dev.taskhub.retention.RetentionEnforcer;

import java.time.Duration;

/**
 * Worker tuning. Immutable; build with {@link #builder()}.
 *
 * @param orchestrationConcurrency threads running episodes
 * @param orchestrationBatchSize   instances locked and checkpointed per round trip (default 128: a batch only fills up
 *                                 when that much work is waiting)
 * @param activityConcurrency      activities running at once (default 256: threads, created as needed; activities
 *                                 mostly wait on I/O, and a full pipeline lets each round trip report and lock many;
 *                                 lower it for activities that keep a CPU busy)
 * @param activityBatchSize        activity messages locked per round trip (default 128)
 * @param lockLease                lease of a lock; renewed while the work is in progress (orchestration batches and
 *                                 activities), so a worker that dies loses its items after this
 * @param pollWait                 how long one lock call may wait for work (bounds shutdown latency)
 * @param maxDeliveryCount         deliveries after which a message is dead-lettered (instance or task failed)
 * @param historyCacheSize         instances whose history is kept in memory between episodes
 * @param shutdownTimeout          how long {@code close()} waits for running activities before abandoning them
 * @param processActivities        whether this worker takes activity work items (default true); turn off for a worker
 *                                 pool that only runs orchestrators while another pool runs the activities
 * @param dataConverter            turns orchestrator and activity inputs, outputs, custom status and event data into
 *                                 stored text and back (default {@link JsonDataConverter#DEFAULT}); the
 *                                 {@link dev.taskhub.client.TaskHubClient} of the same task hub must use the same one
 * @param retentionInterval        how often this worker runs a pass of the hub's retention policies (default 1 minute;
 *                                 {@link Duration#ZERO} turns enforcement off in this worker); see
 *                                 {@link dev.taskhub.retention.RetentionEnforcer}
 * @param retentionBatchSize       the most instances one retention pass purges per policy (default 1,000), which bounds
 *                                 the work and the storage load of a pass
 * @param observer                 told what the worker does, for metrics and traces (default {@link TaskHubObserver#NONE},
 *                                 which costs nothing); see {@link dev.taskhub.observe} and docs/observability.md
 */
public record WorkerOptions(int orchestrationConcurrency, int orchestrationBatchSize, int activityConcurrency,
                            int activityBatchSize, Duration lockLease, Duration pollWait, int maxDeliveryCount,
                            int historyCacheSize, Duration shutdownTimeout, boolean processActivities,
                            DataConverter dataConverter, Duration retentionInterval, int retentionBatchSize,
                            TaskHubObserver observer) {
    public WorkerOptions {
        if (observer == null) {
            throw new InvalidRequestException("observer must not be null; use TaskHubObserver.NONE to observe nothing.");
        }
        if (dataConverter == null) {
            throw new InvalidRequestException("dataConverter must not be null; use JsonDataConverter.DEFAULT for JSON.");
        }
        positive(orchestrationConcurrency, "orchestrationConcurrency");
        positive(orchestrationBatchSize, "orchestrationBatchSize");
        positive(activityConcurrency, "activityConcurrency");
        positive(activityBatchSize, "activityBatchSize");
        positive(maxDeliveryCount, "maxDeliveryCount");
        if (historyCacheSize < 0) {
            throw new InvalidRequestException("historyCacheSize must not be negative.");
        }
        notNull(lockLease, "lockLease");
        notNull(pollWait, "pollWait");
        notNull(shutdownTimeout, "shutdownTimeout");
        notNull(retentionInterval, "retentionInterval");
        positive(retentionBatchSize, "retentionBatchSize");
        if (retentionInterval.isNegative() || (!retentionInterval.isZero() && retentionInterval.compareTo(Duration.ofMillis(100)) < 0)) {
            throw new InvalidRequestException("retentionInterval must be at least 100 ms, or zero to turn retention "
                    + "enforcement off in this worker; got " + retentionInterval + ".");
        }
        if (lockLease.compareTo(Duration.ofMillis(100)) < 0) {
            throw new InvalidRequestException("lockLease must be at least 100 ms, got " + lockLease + ".");
        }
    }

    /** Options without an observer (kept for callers written before observers existed). */
    public WorkerOptions(int orchestrationConcurrency, int orchestrationBatchSize, int activityConcurrency,
                         int activityBatchSize, Duration lockLease, Duration pollWait, int maxDeliveryCount,
                         int historyCacheSize, Duration shutdownTimeout, boolean processActivities,
                         DataConverter dataConverter, Duration retentionInterval, int retentionBatchSize) {
        this(orchestrationConcurrency, orchestrationBatchSize, activityConcurrency, activityBatchSize, lockLease, pollWait,
                maxDeliveryCount, historyCacheSize, shutdownTimeout, processActivities, dataConverter, retentionInterval,
                retentionBatchSize, TaskHubObserver.NONE);
    }

    public static WorkerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        return new Builder().orchestrationConcurrency(orchestrationConcurrency).orchestrationBatchSize(orchestrationBatchSize)
                .activityConcurrency(activityConcurrency).activityBatchSize(activityBatchSize).lockLease(lockLease)
                .pollWait(pollWait).maxDeliveryCount(maxDeliveryCount).historyCacheSize(historyCacheSize)
                .shutdownTimeout(shutdownTimeout).processActivities(processActivities).dataConverter(dataConverter)
                .retentionInterval(retentionInterval).retentionBatchSize(retentionBatchSize).observer(observer);
    }

    private static void notNull(Duration value, String name) {
        if (value == null) {
            throw new InvalidRequestException(name + " must not be null.");
        }
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new InvalidRequestException(name + " must be at least 1, got " + value + ".");
        }
    }

    /** Builder for {@link WorkerOptions}; defaults suit a small machine; {@link #build()} validates. */
    public static final class Builder {
        private int orchestrationConcurrency = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int orchestrationBatchSize = 128;
        private int activityConcurrency = 256;
        private int activityBatchSize = 128;
        private Duration lockLease = Duration.ofSeconds(30);
        private Duration pollWait = Duration.ofMillis(500);
        private int maxDeliveryCount = 10;
        private int historyCacheSize = 10_000;
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private boolean processActivities = true;
        private DataConverter dataConverter = JsonDataConverter.DEFAULT;
        private Duration retentionInterval = Duration.ofMinutes(1);
        private int retentionBatchSize = RetentionEnforcer.DEFAULT_LIMIT_PER_POLICY;
        private TaskHubObserver observer = TaskHubObserver.NONE;

        private Builder() {
        }

        public Builder orchestrationConcurrency(int value) { this.orchestrationConcurrency = value; return this; }

        public Builder orchestrationBatchSize(int value) { this.orchestrationBatchSize = value; return this; }

        public Builder activityConcurrency(int value) { this.activityConcurrency = value; return this; }

        public Builder activityBatchSize(int value) { this.activityBatchSize = value; return this; }

        public Builder lockLease(Duration value) { this.lockLease = value; return this; }

        public Builder pollWait(Duration value) { this.pollWait = value; return this; }

        public Builder maxDeliveryCount(int value) { this.maxDeliveryCount = value; return this; }

        public Builder historyCacheSize(int value) { this.historyCacheSize = value; return this; }

        public Builder shutdownTimeout(Duration value) { this.shutdownTimeout = value; return this; }

        public Builder processActivities(boolean value) { this.processActivities = value; return this; }

        /** The converter of user payloads; the client of the same task hub must use the same one. */
        public Builder dataConverter(DataConverter value) { this.dataConverter = value; return this; }

        /** How often this worker runs a pass of the hub's retention policies; {@link Duration#ZERO} for never. */
        public Builder retentionInterval(Duration value) { this.retentionInterval = value; return this; }

        /** The most instances one retention pass purges per policy. */
        public Builder retentionBatchSize(int value) { this.retentionBatchSize = value; return this; }

        /** Replaces the observer (default {@link TaskHubObserver#NONE}); see {@link #addObserver} to add one. */
        public Builder observer(TaskHubObserver value) { this.observer = value; return this; }

        /**
         * Adds an observer to those already set ({@link TaskHubObserver#of}): for example a metrics and a tracing one,
         * {@code addObserver(TaskHubMetrics.of(registry)).addObserver(TaskHubTracing.of(openTelemetry))}.
         */
        public Builder addObserver(TaskHubObserver value) {
            if (value == null) {
                throw new InvalidRequestException("observer must not be null.");
            }
            this.observer = observer == null ? value : TaskHubObserver.of(observer, value);
            return this;
        }

        /** The options; throws {@link InvalidRequestException} naming the first value out of range. */
        public WorkerOptions build() {
            return new WorkerOptions(orchestrationConcurrency, orchestrationBatchSize, activityConcurrency, activityBatchSize,
                    lockLease, pollWait, maxDeliveryCount, historyCacheSize, shutdownTimeout, processActivities,
                    dataConverter, retentionInterval, retentionBatchSize, observer);
        }
    }
}

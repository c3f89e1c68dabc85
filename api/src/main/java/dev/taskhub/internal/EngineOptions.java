package dev.taskhub.internal;

import dev.taskhub.convert.DataConverter;

import dev.taskhub.observe.TaskHubObserver;

import java.time.Duration;

/** The engine's tuning, taken from the worker's options (validated there). */
public record EngineOptions(int orchestrationConcurrency, int orchestrationBatchSize, int activityConcurrency,
                            int activityBatchSize, Duration lockLease, Duration pollWait, int maxDeliveryCount,
                            int historyCacheSize, Duration shutdownTimeout, boolean processActivities,
                            DataConverter dataConverter, Duration retentionInterval, int retentionBatchSize,
                            TaskHubObserver observer) {
}

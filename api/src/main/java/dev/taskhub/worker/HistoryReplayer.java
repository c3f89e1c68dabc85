package dev.taskhub.worker;

import dev.taskhub.jobs.BulkJobs;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.internal.EpisodeRunner;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.OrchestrationWorkItem;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Runs one orchestration episode in memory, as a worker would, over a given history and without storage: a check that
 * orchestrators replay their stored histories deterministically (used by the conformance suite). Thread-safe.
 */
public final class HistoryReplayer {
    private final EpisodeRunner runner;

    /**
     * @param registry         the orchestrators (and activities) to replay with
     * @param clock            the clock the episode reads
     * @param maxDeliveryCount deliveries of the work item after which it is dead-lettered, as {@link WorkerOptions}
     */
    public HistoryReplayer(TaskRegistry registry, Clock clock, int maxDeliveryCount) {
        this(registry, clock, maxDeliveryCount, JsonDataConverter.DEFAULT);
    }

    /** As {@link #HistoryReplayer(TaskRegistry, Clock, int)}, with the worker's {@link WorkerOptions#dataConverter()}. */
    public HistoryReplayer(TaskRegistry registry, Clock clock, int maxDeliveryCount, DataConverter dataConverter) {
        this.runner = new EpisodeRunner(EngineBridge.registrations(Objects.requireNonNull(registry, "registry"),
                BulkJobs.builtInOrchestrators(), Map.of()),
                Objects.requireNonNull(clock, "clock"), maxDeliveryCount, Objects.requireNonNull(dataConverter, "dataConverter"));
    }

    /** The checkpoint the episode would commit: the work item's messages applied over {@code storedHistory}. */
    public Checkpoint replay(OrchestrationWorkItem workItem, List<HistoryEvent> storedHistory) {
        return runner.run(workItem, storedHistory);
    }
}

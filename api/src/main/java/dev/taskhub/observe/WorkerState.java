package dev.taskhub.observe;

/**
 * What a running worker holds now, read by gauges. Each method is a cheap read of a counter; thread-safe. Valid from
 * {@link TaskHubObserver#workerStarted} to {@link TaskHubObserver#workerStopped}.
 */
public interface WorkerState {
    /** The task hub the worker serves. */
    String taskHubName();

    /** Activities running now. */
    int activitiesInFlight();

    /** The most activities that run at once ({@code WorkerOptions.activityConcurrency}). */
    int activityCapacity();

    /** Instances locked for an episode now (running or being committed). */
    int episodesInFlight();

    /**
     * The most instances locked at once: {@code orchestrationConcurrency × orchestrationBatchSize} (0 on a worker
     * without orchestrators).
     */
    int episodeCapacity();
}

package dev.taskhub.observe;

import dev.taskhub.history.TraceContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Told by a {@link dev.taskhub.worker.TaskHubWorker} and a {@link dev.taskhub.client.TaskHubClient} what they do, for
 * metrics and traces. Register one with {@code WorkerOptions.builder().addObserver(...)} and
 * {@code client.withObserver(...)}; several are combined with {@link #of}.
 *
 * <p>Every method has an empty default, so an implementation overrides what it needs. Calls come from the worker's
 * own threads, concurrently: implementations must be thread-safe, fast and must not block (they run on the episode
 * and activity threads). An exception thrown by an observer is logged and otherwise ignored: observation never changes
 * what the engine does. Reports passed to a method are valid only during the call (their lists may change later).
 *
 * <p>With {@link #NONE} (the default) the engine skips observation entirely: it neither measures nor builds reports.
 */
public interface TaskHubObserver {
    /** Observes nothing; the default of workers and clients. */
    TaskHubObserver NONE = new TaskHubObserver() {
        @Override
        public String toString() {
            return "TaskHubObserver.NONE";
        }
    };

    /**
     * The client is about to start an orchestration (a new instance or a restart). Called before the start is written;
     * the returned trace context, if any, is stored with the start (in its {@code ExecutionStarted} event) so that the
     * orchestration's work joins that trace. Default: none.
     *
     * @param name       orchestrator name
     * @param instanceId the id of the instance to start
     * @param parent     the trace context the caller gave with the start ({@code NewOrchestrationOptions.traceContext},
     *                   for example from an HTTP request's {@code traceparent}), or null for the current context
     * @return the trace context to carry with the orchestration, or null to carry {@code parent}
     */
    default TraceContext orchestrationScheduling(String name, String instanceId, TraceContext parent) {
        return null;
    }

    /**
     * The client delivered an external event to an instance (after the event was written).
     *
     * @param name       the target instance's orchestrator name
     * @param instanceId the target instance
     * @param eventName  the event name
     */
    default void eventRaised(String name, String instanceId, String eventName) {
    }

    /** A worker started; {@code worker} can be read at any time until {@link #workerStopped} (gauges). */
    default void workerStarted(WorkerState worker) {
    }

    /** The worker stopped; its {@link WorkerState} must not be read any more. */
    default void workerStopped(WorkerState worker) {
    }

    /** An episode's checkpoint was committed (never called for an episode whose commit was refused or failed). */
    default void episodeCommitted(EpisodeReport episode) {
    }

    /** An activity ran on this worker (whether or not its result is then accepted). */
    default void activityExecuted(ActivityReport activity) {
    }

    /**
     * The observers in order, as one; {@link #NONE}s are left out, and none or only {@code NONE}s give {@link #NONE}.
     * Each observer is called even when an earlier one throws.
     */
    static TaskHubObserver of(TaskHubObserver... observers) {
        Objects.requireNonNull(observers, "observers");
        List<TaskHubObserver> list = new ArrayList<>();
        for (TaskHubObserver o : observers) {
            Objects.requireNonNull(o, "observer");
            if (o instanceof CompositeObserver c) {
                list.addAll(c.observers());
            } else if (o != NONE) {
                list.add(o);
            }
        }
        if (list.isEmpty()) {
            return NONE;
        }
        return list.size() == 1 ? list.get(0) : new CompositeObserver(List.copyOf(list));
    }
}

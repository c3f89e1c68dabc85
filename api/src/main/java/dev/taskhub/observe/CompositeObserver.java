package dev.taskhub.observe;

import dev.taskhub.history.TraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Several observers as one ({@link TaskHubObserver#of}); a failing observer does not keep the others from being told. */
record CompositeObserver(List<TaskHubObserver> observers) implements TaskHubObserver {
    private static final Logger log = LoggerFactory.getLogger(CompositeObserver.class);

    @Override
    public TraceContext orchestrationScheduling(String name, String instanceId, TraceContext parent) {
        TraceContext found = null;
        for (TaskHubObserver o : observers) {
            try {
                TraceContext t = o.orchestrationScheduling(name, instanceId, parent);
                if (found == null) {
                    found = t;
                }
            } catch (RuntimeException e) {
                failed(o, e);
            }
        }
        return found;
    }

    @Override
    public void eventRaised(String name, String instanceId, String eventName) {
        for (TaskHubObserver o : observers) {
            try {
                o.eventRaised(name, instanceId, eventName);
            } catch (RuntimeException e) {
                failed(o, e);
            }
        }
    }

    @Override
    public void workerStarted(WorkerState worker) {
        for (TaskHubObserver o : observers) {
            try {
                o.workerStarted(worker);
            } catch (RuntimeException e) {
                failed(o, e);
            }
        }
    }

    @Override
    public void workerStopped(WorkerState worker) {
        for (TaskHubObserver o : observers) {
            try {
                o.workerStopped(worker);
            } catch (RuntimeException e) {
                failed(o, e);
            }
        }
    }

    @Override
    public void episodeCommitted(EpisodeReport episode) {
        for (TaskHubObserver o : observers) {
            try {
                o.episodeCommitted(episode);
            } catch (RuntimeException e) {
                failed(o, e);
            }
        }
    }

    @Override
    public void activityExecuted(ActivityReport activity) {
        for (TaskHubObserver o : observers) {
            try {
                o.activityExecuted(activity);
            } catch (RuntimeException e) {
                failed(o, e);
            }
        }
    }

    private static void failed(TaskHubObserver o, RuntimeException e) {
        log.warn("Observer {} failed; ignored: {}", o, e.toString(), e);
    }
}

package dev.taskhub.observe;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One committed episode of an orchestration instance. Valid only during {@link TaskHubObserver#episodeCommitted}.
 *
 * @param taskHubName    the task hub
 * @param instanceId     the instance
 * @param executionId    the execution the episode ran (the one that ended, for a continue-as-new)
 * @param name           the orchestrator name
 * @param status         the instance's status after the episode
 * @param startedAt      when the episode began (the worker's clock)
 * @param duration       how long the episode took to run, commit excluded
 * @param scheduleToStart how long the oldest message of the episode waited between becoming due and the episode
 *                       beginning (the backlog age); zero when unknown
 * @param historySource  where the history came from
 * @param history        the execution's history before the episode (empty for a new instance)
 * @param newEvents      the events the episode added to that history, in order, starting with its
 *                       {@code OrchestratorStarted}; for a continue-as-new, the events the ended execution received
 *                       in its last episode are not kept and this list is empty
 */
public record EpisodeReport(String taskHubName, String instanceId, String executionId, String name, RuntimeStatus status,
                            Instant startedAt, Duration duration, Duration scheduleToStart, HistorySource historySource,
                            List<HistoryEvent> history, List<HistoryEvent> newEvents) {
    /** Where an episode's history came from. */
    public enum HistorySource {
        /** The worker's history cache (no storage read). */
        CACHE,
        /** Storage: not cached, evicted or changed by another worker. */
        STORAGE,
        /** Nothing to read: a new instance. */
        NEW
    }

    /** The start of the execution, from the history or the new events; null when the instance has not started. */
    public HistoryEvent.ExecutionStarted executionStarted() {
        for (List<HistoryEvent> list : List.of(history, newEvents)) {
            for (HistoryEvent e : list) {
                if (e instanceof HistoryEvent.ExecutionStarted s) {
                    return s;
                }
            }
        }
        return null;
    }

    /** True when the execution started in this episode (its {@code ExecutionStarted} is among the new events). */
    public boolean started() {
        for (HistoryEvent e : newEvents) {
            if (e instanceof HistoryEvent.ExecutionStarted) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when the execution ended in this episode: completed, failed, terminated or continued as new (the status says
     * which).
     */
    public boolean finished() {
        if (status == RuntimeStatus.CONTINUED_AS_NEW) {
            return true;
        }
        for (HistoryEvent e : newEvents) {
            if (e instanceof HistoryEvent.ExecutionCompleted || e instanceof HistoryEvent.ExecutionTerminated) {
                return true;
            }
        }
        return false;
    }

    /** The scheduling event of call {@code eventId} in the history or the new events (TaskScheduled, TimerCreated, …), or null. */
    public HistoryEvent call(int eventId) {
        for (List<HistoryEvent> list : List.of(history, newEvents)) {
            for (HistoryEvent e : list) {
                if (e.eventId() == eventId && (e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.TimerCreated
                        || e instanceof HistoryEvent.SubOrchestrationInstanceCreated || e instanceof HistoryEvent.EventSent)) {
                    return e;
                }
            }
        }
        return null;
    }
}

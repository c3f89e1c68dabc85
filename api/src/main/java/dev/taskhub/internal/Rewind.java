package dev.taskhub.internal;

import dev.taskhub.history.HistoryEvent;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites the history of a failed execution so that replay re-issues what failed: the failed activities and
 * sub-orchestrations (scheduled and failed events removed) and timers that never fired (their late firing is still
 * accepted, since the re-issued timer has the same id and time). Succeeded work stays recorded and is not run again.
 */
final class Rewind {
    private Rewind() {}

    static List<HistoryEvent> rewrite(List<HistoryEvent> history) {
        Set<Integer> failed = new HashSet<>();
        Set<Integer> fired = new HashSet<>();
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.TaskFailed f) {
                failed.add(f.taskScheduledId());
            } else if (e instanceof HistoryEvent.SubOrchestrationInstanceFailed f) {
                failed.add(f.taskScheduledId());
            } else if (e instanceof HistoryEvent.TimerFired t) {
                fired.add(t.timerId());
            }
        }
        List<HistoryEvent> kept = new ArrayList<>(history.size());
        for (HistoryEvent e : history) {
            boolean drop = e instanceof HistoryEvent.ExecutionCompleted
                    || e instanceof HistoryEvent.TaskFailed
                    || e instanceof HistoryEvent.SubOrchestrationInstanceFailed
                    || (e instanceof HistoryEvent.TaskScheduled && failed.contains(e.eventId()))
                    || (e instanceof HistoryEvent.SubOrchestrationInstanceCreated && failed.contains(e.eventId()))
                    || (e instanceof HistoryEvent.TimerCreated && !fired.contains(e.eventId()));
            if (!drop) {
                kept.add(e);
            }
        }
        return kept;
    }
}

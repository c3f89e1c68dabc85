package dev.taskhub.history;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The durable calls of a history that are still waiting for their outcome: activities scheduled without a result,
 * timers created without firing, sub-orchestrations created without a completion or failure. This is the work an
 * instance waits for; whoever moves or rewinds an instance asks for it again. Stateless and thread-safe.
 */
public final class OpenCalls {
    private OpenCalls() {}

    /**
     * The {@link HistoryEvent.TaskScheduled}, {@link HistoryEvent.TimerCreated} and
     * {@link HistoryEvent.SubOrchestrationInstanceCreated} events of {@code history} whose outcome is not in it, in
     * history order. Events sent to other instances ({@link HistoryEvent.EventSent}) wait for nothing and are never
     * open.
     */
    public static List<HistoryEvent> of(List<HistoryEvent> history) {
        Set<Integer> answered = new HashSet<>();
        for (HistoryEvent e : history) {
            Integer id = HistoryEvent.answeredCallId(e);
            if (id != null) {
                answered.add(id);
            } else if (e instanceof HistoryEvent.TimerFired f) {
                answered.add(f.timerId());
            }
        }
        List<HistoryEvent> open = new ArrayList<>();
        for (HistoryEvent e : history) {
            boolean waits = e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.TimerCreated
                    || e instanceof HistoryEvent.SubOrchestrationInstanceCreated;
            if (waits && !answered.contains(e.eventId())) {
                open.add(e);
            }
        }
        return open;
    }
}

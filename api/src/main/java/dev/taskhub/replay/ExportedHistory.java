package dev.taskhub.replay;

import dev.taskhub.history.HistoryEvent;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds the engine's history from exported JSON (Durable Functions' format, read by {@code WireFormat.readHistory}):
 * that format leaves out the episode markers and folds each answered call into its outcome. Every event of an episode
 * carries the episode's time, so the episodes come back from the timestamps; within one, the engine's order is the
 * start, the events that arrived, then the calls by sequence number, then the end. Calls carry their sequence numbers
 * in Taskhub's exports ({@code EventId}, {@code TaskScheduledId}); without them (another tool's export) the calls are
 * numbered in order, which is exact unless one episode made several calls that were answered out of order.
 */
final class ExportedHistory {
    private ExportedHistory() {}

    /** The rebuilt events; {@code positions} maps each to the index of the JSON array element it came from. */
    static List<HistoryEvent> rebuild(List<HistoryEvent> read, Map<HistoryEvent, Integer> positions) {
        Map<HistoryEvent, Integer> source = sourceIndexes(read);
        boolean numbered = read.stream().filter(Replayer::isCall).allMatch(e -> e.eventId() >= 0);
        TreeMap<Instant, Episode> episodes = new TreeMap<>();
        for (HistoryEvent e : read) {
            Episode episode = episodes.computeIfAbsent(e.timestamp(), k -> new Episode());
            if (e instanceof HistoryEvent.ExecutionStarted) {
                episode.starts.add(e);
            } else if (Replayer.isCall(e)) {
                episode.calls.add(e);
            } else if (e instanceof HistoryEvent.ExecutionCompleted || e instanceof HistoryEvent.ContinueAsNew) {
                episode.ends.add(e);
            } else {
                episode.arrived.add(e);
            }
        }
        List<HistoryEvent> out = new ArrayList<>();
        for (Map.Entry<Instant, Episode> entry : episodes.entrySet()) {
            Episode episode = entry.getValue();
            if (numbered) {
                episode.calls.sort(Comparator.comparingInt(HistoryEvent::eventId));
            }
            out.add(new HistoryEvent.OrchestratorStarted(-1, entry.getKey()));
            out.addAll(episode.starts);
            out.addAll(episode.arrived);
            out.addAll(episode.calls);
            out.addAll(episode.ends);
            out.add(new HistoryEvent.OrchestratorCompleted(-1, entry.getKey()));
        }
        if (!numbered) {
            out = renumber(out, source);
        }
        for (HistoryEvent e : out) {
            Integer index = source.get(e);
            if (index != null) {
                positions.put(e, index);
            }
        }
        return out;
    }

    /**
     * The JSON array index of each read event: a call restored from its outcome (the event right after it answers
     * it) shares the outcome's index.
     */
    private static Map<HistoryEvent, Integer> sourceIndexes(List<HistoryEvent> read) {
        Map<HistoryEvent, Integer> index = new java.util.IdentityHashMap<>();
        int json = 0;
        for (int i = 0; i < read.size(); i++) {
            HistoryEvent e = read.get(i);
            boolean restored = i + 1 < read.size() && (e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.SubOrchestrationInstanceCreated)
                    && Integer.valueOf(e.eventId()).equals(HistoryEvent.answeredCallId(read.get(i + 1)));
            index.put(e, restored ? json : json++);
        }
        return index;
    }

    /** Numbers the calls in order and points the outcomes (timers: by fire time) at the new numbers. */
    private static List<HistoryEvent> renumber(List<HistoryEvent> events, Map<HistoryEvent, Integer> source) {
        Map<Integer, Integer> linked = new HashMap<>();
        Map<Instant, Integer> timers = new HashMap<>();
        int next = 0;
        List<HistoryEvent> out = new ArrayList<>(events.size());
        for (HistoryEvent e : events) {
            HistoryEvent renamed = e;
            if (e instanceof HistoryEvent.TaskScheduled t) {
                linked.put(t.eventId(), next);
                renamed = new HistoryEvent.TaskScheduled(next++, t.timestamp(), t.name(), t.input(), t.traceContext());
            } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated s) {
                linked.put(s.eventId(), next);
                renamed = new HistoryEvent.SubOrchestrationInstanceCreated(next++, s.timestamp(), s.name(), s.version(), s.instanceId(), s.input(), s.traceContext());
            } else if (e instanceof HistoryEvent.TimerCreated t) {
                timers.putIfAbsent(t.fireAt(), next);
                renamed = new HistoryEvent.TimerCreated(next++, t.timestamp(), t.fireAt());
            } else if (e instanceof HistoryEvent.EventSent s) {
                renamed = new HistoryEvent.EventSent(next++, s.timestamp(), s.instanceId(), s.name(), s.input(), s.traceContext());
            } else if (e instanceof HistoryEvent.TaskCompleted c) {
                renamed = new HistoryEvent.TaskCompleted(c.eventId(), c.timestamp(), linked.getOrDefault(c.taskScheduledId(), -1), c.result());
            } else if (e instanceof HistoryEvent.TaskFailed f) {
                renamed = new HistoryEvent.TaskFailed(f.eventId(), f.timestamp(), linked.getOrDefault(f.taskScheduledId(), -1), f.failureDetails());
            } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCompleted c) {
                renamed = new HistoryEvent.SubOrchestrationInstanceCompleted(c.eventId(), c.timestamp(), linked.getOrDefault(c.taskScheduledId(), -1), c.result());
            } else if (e instanceof HistoryEvent.SubOrchestrationInstanceFailed f) {
                renamed = new HistoryEvent.SubOrchestrationInstanceFailed(f.eventId(), f.timestamp(), linked.getOrDefault(f.taskScheduledId(), -1), f.failureDetails());
            } else if (e instanceof HistoryEvent.TimerFired f) {
                renamed = new HistoryEvent.TimerFired(f.eventId(), f.timestamp(), timers.getOrDefault(f.fireAt(), f.timerId()), f.fireAt());
            }
            Integer index = source.get(e);
            if (index != null && renamed != e) {
                source.put(renamed, index);
            }
            out.add(renamed);
        }
        return out;
    }

    private static final class Episode {
        final List<HistoryEvent> starts = new ArrayList<>();
        final List<HistoryEvent> arrived = new ArrayList<>();
        final List<HistoryEvent> calls = new ArrayList<>();
        final List<HistoryEvent> ends = new ArrayList<>();
    }
}

package dev.taskhub.replay;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.NonDeterministicOrchestrationException;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.worker.HistoryReplayer;
import dev.taskhub.worker.TaskRegistry;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Replays stored histories against the current orchestrator code, as a worker would on its next episode, and reports
 * the first recorded decision the code no longer makes (Temporal's {@code WorkflowReplayer}, for Taskhub): an activity
 * renamed, a call added before others, a timer removed, the code finishing where the history goes on. Nothing is written
 * and no activity runs. Use it in a unit test over histories exported from production, or through
 * {@code taskhub replay}.
 *
 * <pre>{@code
 * TaskRegistry registry = new TaskRegistry();
 * new MyModule().register(registry);
 * ReplayResult result = Replayer.replay(history, registry);
 * assertThat(result.nonDeterminism()).isEmpty();
 * }</pre>
 *
 * Orchestrators are compared on the calls they make (kind and name, in order) and on how they end (completed, failed,
 * continued as new, still waiting); inputs, results and timer times may change without breaking a replay, as in the
 * engine. Thread-safe.
 */
public final class Replayer {
    private static final String PROBE = "__taskhub_replay_probe";

    private final HistoryReplayer replayer;

    private Replayer(TaskRegistry registry, DataConverter converter) {
        this.replayer = new HistoryReplayer(Objects.requireNonNull(registry, "registry"), Clock.systemUTC(), Integer.MAX_VALUE,
                Objects.requireNonNull(converter, "converter"));
    }

    /** A replayer of the orchestrators in {@code registry}, with the default JSON converter. */
    public static Replayer of(TaskRegistry registry) {
        return new Replayer(registry, JsonDataConverter.DEFAULT);
    }

    /** A replayer whose payloads go through {@code converter} (the workers' {@code WorkerOptions.dataConverter()}). */
    public static Replayer of(TaskRegistry registry, DataConverter converter) {
        return new Replayer(registry, converter);
    }

    /** Replays one history (as read through the SPI) with the orchestrators of {@code registry}. */
    public static ReplayResult replay(List<HistoryEvent> history, TaskRegistry registry) {
        return of(registry).replay(InstanceHistory.of("(history)", history));
    }

    /** Replays the history of each instance that {@code query} matches, read through the provider, page by page. */
    public List<ReplayResult> replay(StorageProvider provider, InstanceQuery query) {
        List<ReplayResult> results = new ArrayList<>();
        InstanceQuery page = query;
        while (true) {
            InstancePage found = provider.queryInstances(page);
            for (InstanceState state : found.instances()) {
                results.add(replay(InstanceHistory.of(state.instanceId(), provider.getHistory(state.instanceId()))));
            }
            if (found.continuationToken() == null) {
                return results;
            }
            page = page.toBuilder().continuationToken(found.continuationToken()).build();
        }
    }

    /** Replays one history. */
    public ReplayResult replay(InstanceHistory history) {
        Map<HistoryEvent, Integer> positions = new IdentityHashMap<>();
        List<HistoryEvent> events = history.exported() ? ExportedHistory.rebuild(history.events(), positions)
                : indexed(history.events(), positions);
        return new Check(history.instanceId(), events, positions).run();
    }

    private static List<HistoryEvent> indexed(List<HistoryEvent> events, Map<HistoryEvent, Integer> positions) {
        for (int i = 0; i < events.size(); i++) {
            positions.putIfAbsent(events.get(i), i);
        }
        return events;
    }

    /** The replay of one history. */
    private final class Check {
        private final String instanceId;
        private final List<HistoryEvent> events;
        private final Map<HistoryEvent, Integer> positions;
        private final int sourceLength;

        Check(String instanceId, List<HistoryEvent> events, Map<HistoryEvent, Integer> positions) {
            this.instanceId = instanceId;
            this.events = events;
            this.positions = positions;
            this.sourceLength = positions.values().stream().mapToInt(i -> i + 1).max().orElse(0);
        }

        ReplayResult run() {
            HistoryEvent.ExecutionStarted start = events.stream().filter(HistoryEvent.ExecutionStarted.class::isInstance)
                    .map(HistoryEvent.ExecutionStarted.class::cast).findFirst().orElse(null);
            if (start == null) {
                return new ReplayResult(instanceId, null, Optional.empty());   // not started: nothing to replay
            }
            // Replay up to the recorded end: the completion is the code's last decision, compared below; a terminate
            // stops the code wherever it is, so the terminating episode is left out.
            int end = events.size();
            RuntimeStatus recordedEnd = RuntimeStatus.RUNNING;
            HistoryEvent endEvent = null;
            for (int i = 0; i < events.size(); i++) {
                HistoryEvent e = events.get(i);
                if (e instanceof HistoryEvent.ExecutionCompleted c) {
                    end = i;
                    recordedEnd = c.status();
                    endEvent = e;
                    break;
                }
                if (e instanceof HistoryEvent.ContinueAsNew) {
                    end = i;
                    recordedEnd = RuntimeStatus.CONTINUED_AS_NEW;
                    endEvent = e;
                    break;
                }
                if (e instanceof HistoryEvent.ExecutionTerminated) {
                    end = i;
                    while (end > 0 && !(events.get(end) instanceof HistoryEvent.OrchestratorStarted)) {
                        end--;
                    }
                    break;
                }
            }
            List<HistoryEvent> replayed = events.subList(0, end);
            List<Integer> calls = new ArrayList<>();
            for (int i = 0; i < replayed.size(); i++) {
                if (isCall(replayed.get(i))) {
                    calls.add(i);
                }
            }

            Checkpoint full = episode(start, replayed);
            if (!failed(full)) {
                return new ReplayResult(instanceId, start.name(), atTheEnd(full, recordedEnd, endEvent));
            }
            // The first recorded call the code no longer makes: replays of longer prefixes fail from there on.
            int low = 0;
            int high = calls.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (failed(episode(start, replayed.subList(0, calls.get(mid) + 1)))) {
                    high = mid;
                } else {
                    low = mid + 1;
                }
            }
            if (low == calls.size()) {
                // every call matches, the code fails after them
                return new ReplayResult(instanceId, start.name(), Optional.of(found(endEvent, describeEnd(recordedEnd), instead(full, -1))));
            }
            HistoryEvent call = replayed.get(calls.get(low));
            Checkpoint before = episode(start, replayed.subList(0, calls.get(low)));
            return new ReplayResult(instanceId, start.name(), Optional.of(found(call, describe(call), instead(before, call.eventId()))));
        }

        /** With every recorded call matched: the code must make no further call and end as the history does. */
        private Optional<NonDeterminism> atTheEnd(Checkpoint full, RuntimeStatus recordedEnd, HistoryEvent endEvent) {
            for (HistoryEvent e : full.newEvents()) {
                if (isCall(e)) {
                    String recorded = recordedEnd == RuntimeStatus.RUNNING ? "no further call" : describeEnd(recordedEnd);
                    return Optional.of(found(endEvent, recorded, describeCall(e)));
                }
            }
            RuntimeStatus replayedEnd = full.state() == null ? RuntimeStatus.RUNNING : full.state().status();
            boolean same = replayedEnd == recordedEnd
                    || recordedEnd == RuntimeStatus.TERMINATED || recordedEnd == RuntimeStatus.RUNNING && replayedEnd == RuntimeStatus.SUSPENDED;
            return same ? Optional.empty() : Optional.of(found(endEvent, describeEnd(recordedEnd), instead(full, -1)));
        }

        private NonDeterminism found(HistoryEvent at, String recorded, String actual) {
            Integer position = at == null ? null : positions.get(at);
            return new NonDeterminism(instanceId, position == null ? sourceLength : position, recorded, actual);
        }

        /** One episode over {@code past}, with a probe event that nothing waits for, as a worker would run it. */
        private Checkpoint episode(HistoryEvent.ExecutionStarted start, List<HistoryEvent> past) {
            Instant now = Instant.now();
            InstanceState state = InstanceState.builder().instanceId(instanceId).name(start.name()).version(start.version())
                    .executionId(start.executionId() != null ? start.executionId() : "replay").status(RuntimeStatus.RUNNING)
                    .input(start.input()).createdAt(start.timestamp()).lastUpdatedAt(start.timestamp()).build();
            TaskMessage probe = new TaskMessage(PROBE, instanceId, null, new HistoryEvent.EventRaised(-1, now, PROBE, null, PROBE), null);
            OrchestrationWorkItem item = new OrchestrationWorkItem(instanceId, "replay", now.plusSeconds(60), state, List.of(probe), 0, 1);
            try {
                return replayer.replay(item, new ArrayList<>(past));
            } catch (RuntimeException e) {
                throw new IllegalStateException("Replaying the history of '" + instanceId + "' failed in the engine: " + e, e);
            }
        }
    }

    private static boolean failed(Checkpoint c) {
        return c.state() != null && c.state().status() == RuntimeStatus.FAILED;
    }

    /** What the code did in the episode over a prefix, at call number {@code id} (or -1: how it ended). */
    private static String instead(Checkpoint c, int id) {
        for (HistoryEvent e : c.newEvents()) {
            if (isCall(e) && (id < 0 || e.eventId() == id)) {
                return describeCall(e);
            }
        }
        RuntimeStatus status = c.state() == null ? RuntimeStatus.RUNNING : c.state().status();
        String missing = id >= 0 ? " without making call #" + id : "";
        if (status == RuntimeStatus.FAILED) {
            var f = c.state().failureDetails();
            if (f != null && NonDeterministicOrchestrationException.class.getName().equals(f.errorType())) {
                return "makes other calls (" + f.message() + ")";
            }
            return "fails" + missing + (f == null ? "" : " with " + f.errorType() + ": " + f.message());
        }
        if (status == RuntimeStatus.COMPLETED) {
            return "completes" + missing;
        }
        if (status == RuntimeStatus.CONTINUED_AS_NEW) {
            return "continues as new" + missing;
        }
        return "waits" + missing + " (for an event, or a call that the history does not complete)";
    }

    static boolean isCall(HistoryEvent e) {
        return e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.TimerCreated
                || e instanceof HistoryEvent.SubOrchestrationInstanceCreated || e instanceof HistoryEvent.EventSent;
    }

    private static String describe(HistoryEvent e) {
        if (e instanceof HistoryEvent.TaskScheduled t) return "a call of activity '" + t.name() + "' (#" + t.eventId() + ")";
        if (e instanceof HistoryEvent.TimerCreated t) return "a timer (#" + t.eventId() + ", for " + t.fireAt() + ")";
        if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated s) return "a call of sub-orchestrator '" + s.name() + "' (#" + s.eventId() + ")";
        if (e instanceof HistoryEvent.EventSent s) return "sending event '" + s.name() + "' (#" + s.eventId() + ")";
        return e.eventType();
    }

    private static String describeCall(HistoryEvent e) {
        if (e instanceof HistoryEvent.TaskScheduled t) return "calls activity '" + t.name() + "' (#" + t.eventId() + ")";
        if (e instanceof HistoryEvent.TimerCreated t) return "creates a timer (#" + t.eventId() + ")";
        if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated s) return "calls sub-orchestrator '" + s.name() + "' (#" + s.eventId() + ")";
        if (e instanceof HistoryEvent.EventSent s) return "sends event '" + s.name() + "' (#" + s.eventId() + ")";
        return "records " + e.eventType();
    }

    private static String describeEnd(RuntimeStatus status) {
        return switch (status) {
            case COMPLETED -> "that the orchestration completed";
            case FAILED -> "that the orchestration failed";
            case CONTINUED_AS_NEW -> "that the orchestration continued as new";
            default -> "that the orchestration is waiting";
        };
    }
}

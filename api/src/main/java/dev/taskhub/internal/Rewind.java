package dev.taskhub.internal;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.history.OpenCalls;
import dev.taskhub.history.SubOrchestrationOutcome;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewind of a failed execution: the instance continues as if the failed work had not failed yet.
 *
 * <p>Let p be the first failure event of the history ({@code TaskFailed} or {@code SubOrchestrationInstanceFailed}),
 * or its {@code ExecutionCompleted} when the orchestrator code itself threw. The rewound history is every event before
 * p, plus, from p on, only what is not a decision of the orchestrator: successful completions of activities, timers and
 * sub-orchestrations that were scheduled before p, and external events, each with the {@code OrchestratorStarted}
 * marker of its episode so that replay sees the same current time. Everything else from p on is dropped: the failures,
 * the decisions made after the first failure (retry timers and attempts, compensation, their results) and the
 * completion. Calls the code makes after the rewind get sequence numbers above every number the failed execution used
 * (see {@link #sequenceJumps}), so late results of dropped work cannot be taken for results of new calls.
 *
 * <p>The rewind episode then asks again for the work the rewound history still waits for: activity requests with the
 * same task id, timers with the same id and fire time, and a rewind message to each unfinished sub-orchestration (which
 * rewinds in place, or answers its parent again if it already finished).
 */
final class Rewind {
    private Rewind() {}

    /**
     * A rewound history.
     *
     * @param history           the events kept
     * @param nextCallId        the first sequence number free for calls made after the rewind (recorded as the
     *                          {@code ExecutionRewound} event's {@code eventId})
     * @param recreatedChildren sub-orchestration instances that a dropped call started again (a retry under an explicit
     *                          instance id): they no longer hold the execution the kept call started
     */
    record Rewound(List<HistoryEvent> history, int nextCallId, Set<String> recreatedChildren) {}

    /** Outbound work the rewind episode sends again. */
    record Reissue(List<TaskMessage> messages, List<ActivityRequest> activities) {}

    static Rewound rewrite(List<HistoryEvent> history) {
        int p = firstFailure(history);
        int maxCallId = -1;
        for (HistoryEvent e : history) {
            if (isCall(e)) {
                maxCallId = Math.max(maxCallId, e.eventId());
            } else if (e instanceof HistoryEvent.ExecutionRewound r) {
                maxCallId = Math.max(maxCallId, r.eventId() - 1);
            }
        }
        List<HistoryEvent> kept = new ArrayList<>(history.subList(0, p));
        Set<Integer> scheduledBefore = new HashSet<>();
        Set<String> childrenBefore = new HashSet<>();
        boolean open = false;   // whether the last kept episode still lacks its OrchestratorCompleted
        for (HistoryEvent e : kept) {
            if (isCall(e)) {
                scheduledBefore.add(e.eventId());
            }
            if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated c) {
                childrenBefore.add(c.instanceId());
            }
            if (e instanceof HistoryEvent.OrchestratorStarted) {
                open = true;
            } else if (e instanceof HistoryEvent.OrchestratorCompleted) {
                open = false;
            }
        }
        // An episode's marker is kept only if one of its events is.
        HistoryEvent marker = null;
        if (!kept.isEmpty() && kept.get(kept.size() - 1) instanceof HistoryEvent.OrchestratorStarted last) {
            kept.remove(kept.size() - 1);
            marker = last;
            open = false;
        }
        Set<String> recreated = new HashSet<>();
        for (HistoryEvent e : history.subList(p, history.size())) {
            if (e instanceof HistoryEvent.OrchestratorStarted) {
                marker = e;
                open = false;
            } else if (e instanceof HistoryEvent.OrchestratorCompleted) {
                if (open) {
                    kept.add(e);
                }
                marker = null;
                open = false;
            } else if (isKeptResult(e, scheduledBefore)) {
                if (marker != null) {
                    kept.add(marker);
                    marker = null;
                    open = true;
                }
                kept.add(e);
            } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated c && childrenBefore.contains(c.instanceId())) {
                recreated.add(c.instanceId());
            }
        }
        return new Rewound(kept, maxCallId + 1, recreated);
    }

    /** Index of the first failure event; else of the ExecutionCompleted; else the history's size. */
    private static int firstFailure(List<HistoryEvent> history) {
        int completed = history.size();
        for (int i = 0; i < history.size(); i++) {
            HistoryEvent e = history.get(i);
            if (e instanceof HistoryEvent.TaskFailed || e instanceof HistoryEvent.SubOrchestrationInstanceFailed) {
                return i;
            }
            if (e instanceof HistoryEvent.ExecutionCompleted && completed == history.size()) {
                completed = i;
            }
        }
        return completed;
    }

    private static boolean isKeptResult(HistoryEvent e, Set<Integer> scheduledBefore) {
        return e instanceof HistoryEvent.EventRaised
                || (isSuccess(e) && scheduledBefore.contains(EpisodeRunner.completionId(e)));
    }

    private static boolean isSuccess(HistoryEvent e) {
        return e instanceof HistoryEvent.TaskCompleted || e instanceof HistoryEvent.TimerFired
                || e instanceof HistoryEvent.SubOrchestrationInstanceCompleted;
    }

    /** Events that record a durable call; their eventId is the call's sequence number. */
    static boolean isCall(HistoryEvent e) {
        return e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.TimerCreated
                || e instanceof HistoryEvent.SubOrchestrationInstanceCreated || e instanceof HistoryEvent.EventSent;
    }

    /**
     * The sequence jumps the rewinds in a history call for, in order, each as {from, to}: a call that would get a number
     * of at least {@code from} gets at least {@code to}. {@code from} is one above the highest call number recorded
     * before the {@code ExecutionRewound} event, {@code to} its eventId; an event with eventId -1 asks for no jump.
     */
    static List<int[]> sequenceJumps(List<HistoryEvent> past, List<HistoryEvent> incoming) {
        List<int[]> jumps = null;
        int maxCallId = -1;
        for (List<HistoryEvent> events : List.of(past, incoming)) {
            for (HistoryEvent e : events) {
                if (isCall(e)) {
                    maxCallId = Math.max(maxCallId, e.eventId());
                } else if (e instanceof HistoryEvent.ExecutionRewound r && r.eventId() >= 0) {
                    if (jumps == null) {
                        jumps = new ArrayList<>(1);
                    }
                    jumps.add(new int[] {maxCallId + 1, r.eventId()});
                }
            }
        }
        return jumps == null ? List.of() : jumps;
    }

    /**
     * The first rewind request among the work item's messages that is addressed to this execution (or to none) and
     * that the history has not applied yet, or null.
     */
    static TaskMessage rewindMessage(List<TaskMessage> messages, List<HistoryEvent> history, String executionId) {
        Set<String> applied = new HashSet<>();
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ExecutionRewound r && r.requestId() != null) {
                applied.add(r.requestId());
            }
        }
        for (TaskMessage m : messages) {
            boolean forThisExecution = m.executionId() == null || m.executionId().equals(executionId);
            if (m.event() instanceof HistoryEvent.ExecutionRewound && forThisExecution && !applied.contains(m.messageId())) {
                return m;
            }
        }
        return null;
    }

    /**
     * The messages a rewind episode applies: those that arrived before the rewind message count as arrived while the
     * instance was failed (only successful results and external events are kept), those after it are applied as usual.
     */
    static List<TaskMessage> applied(List<TaskMessage> messages, TaskMessage rewindMessage) {
        List<TaskMessage> out = new ArrayList<>(messages.size());
        boolean after = false;
        for (TaskMessage m : messages) {
            if (m == rewindMessage) {
                after = true;
            } else if (after || isSuccess(m.event()) || m.event() instanceof HistoryEvent.EventRaised) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * The checkpoint for messages to a finished instance that is not being rewound, or null to drop them: a failed
     * instance records the successful results of work it had started (a later rewind keeps them, so that work does not
     * run again) and the external events that reach it (raised while it still ran; a later rewind delivers them); a
     * completed or terminated sub-orchestration asked to rewind by its parent answers the parent again.
     */
    static Checkpoint whileFinished(OrchestrationWorkItem workItem, List<HistoryEvent> history, Instant now) {
        InstanceState state = workItem.instance();
        if (state.status() == RuntimeStatus.FAILED) {
            return keepResults(workItem, state, history, now);
        }
        TaskMessage rewind = rewindMessage(workItem.messages(), history, state.executionId());
        if (rewind != null) {
            TaskMessage answer = answerParent(state, history, now, rewind.messageId());
            if (answer != null) {
                return new Checkpoint(workItem, List.of(), false, null, List.of(answer), List.of());
            }
        }
        return null;
    }

    private static Checkpoint keepResults(OrchestrationWorkItem workItem, InstanceState state, List<HistoryEvent> history,
                                          Instant now) {
        Set<Integer> scheduled = new HashSet<>();
        Set<Integer> completed = new HashSet<>();
        Set<String> raised = new HashSet<>();
        for (HistoryEvent e : history) {
            if (isCall(e)) {
                scheduled.add(e.eventId());
            } else if (EpisodeRunner.completionId(e) >= 0) {
                completed.add(EpisodeRunner.completionId(e));
            } else if (e instanceof HistoryEvent.EventRaised r && r.messageId() != null) {
                raised.add(r.messageId());
            }
        }
        List<HistoryEvent> events = new ArrayList<>();
        for (TaskMessage m : workItem.messages()) {
            boolean current = m.executionId() == null || m.executionId().equals(state.executionId());
            int id = EpisodeRunner.completionId(m.event());
            if (current && isSuccess(m.event()) && scheduled.contains(id) && completed.add(id)) {
                events.add(EpisodeRunner.stamp(m.event(), now));
            } else if (current && m.event() instanceof HistoryEvent.EventRaised r) {
                // accepted while the instance ran and delivered after it failed: a rewind hands it to the orchestrator
                String messageId = r.messageId() != null ? r.messageId() : m.messageId();
                if (raised.add(messageId)) {
                    events.add(new HistoryEvent.EventRaised(-1, now, r.name(), r.input(), messageId));
                }
            }
        }
        if (events.isEmpty()) {
            return null;
        }
        events.add(0, new HistoryEvent.OrchestratorStarted(-1, now));
        events.add(new HistoryEvent.OrchestratorCompleted(-1, now));
        return new Checkpoint(workItem, events, false, state.withStatus(RuntimeStatus.FAILED, now), List.of(), List.of());
    }

    /** The outcome message a finished sub-orchestration sent its parent, sent again; null without a parent. */
    private static TaskMessage answerParent(InstanceState state, List<HistoryEvent> history, Instant now, String rewindMessageId) {
        HistoryEvent.ParentInstance parent = SubOrchestrationOutcome.parentOf(history).orElse(null);
        HistoryEvent event = SubOrchestrationOutcome.of(history, now).orElse(null);
        if (parent == null || event == null) {
            return null;
        }
        // the same id when the episode runs again (see reissue)
        return new TaskMessage(Ids.derived(state.instanceId(), state.executionId(), "answer", rewindMessageId), parent.instanceId(),
                parent.executionId(), event, null);
    }

    /**
     * The work the rewound history waits for, asked for again: each call in {@code events} without a result. The
     * replay matches these calls against the history, so it records no new action for them.
     */
    static Reissue reissue(InstanceState base, Rewound rewound, List<HistoryEvent> events, String reason, Instant now) {
        String executionId = base.executionId();
        // Ids derived from the rewind (the how-many-th of this execution) and the call: a store that sends before it
        // commits (Azure Storage) runs the episode again after an interrupted commit, and the receivers must recognise
        // the repeat's messages as copies (a child asked twice would rewind or start over twice).
        long rewinds = events.stream().filter(HistoryEvent.ExecutionRewound.class::isInstance).count();
        List<TaskMessage> messages = new ArrayList<>();
        List<ActivityRequest> activities = new ArrayList<>();
        for (HistoryEvent e : OpenCalls.of(events)) {
            if (e instanceof HistoryEvent.TaskScheduled t) {
                activities.add(ActivityRequest.of(Ids.derived(base.instanceId(), executionId, rewinds, "reissue-activity", t.eventId()),
                        base.instanceId(), executionId, t));
            } else if (e instanceof HistoryEvent.TimerCreated t) {
                messages.add(TaskMessage.timerFired(Ids.derived(base.instanceId(), executionId, rewinds, "reissue-timer", t.eventId()),
                        base.instanceId(), executionId, t));
            } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated c) {
                HistoryEvent event;
                String childExecution = null;
                if (rewound.recreatedChildren().contains(c.instanceId())) {
                    // The instance holds a later attempt's execution: start the kept call's child again.
                    childExecution = Ids.derived(base.instanceId(), executionId, rewinds, "reissue-child-execution", c.eventId());
                    event = new HistoryEvent.ExecutionStarted(-1, now, c.name(), c.version(), c.input(), childExecution,
                            new HistoryEvent.ParentInstance(base.instanceId(), executionId, c.eventId(), base.name()), null,
                            c.traceContext());
                } else {
                    event = new HistoryEvent.ExecutionRewound(-1, now, reason);
                }
                messages.add(new TaskMessage(Ids.derived(base.instanceId(), executionId, rewinds, "reissue-child", c.eventId()),
                        c.instanceId(), childExecution, event, null));
            }
        }
        return new Reissue(messages, activities);
    }

    /** The checkpoint with the re-issued work added; unchanged when there is none. */
    static Checkpoint withReissued(Checkpoint checkpoint, Reissue reissue) {
        if (reissue == null || (reissue.messages().isEmpty() && reissue.activities().isEmpty())) {
            return checkpoint;
        }
        List<TaskMessage> messages = new ArrayList<>(checkpoint.orchestrationMessages());
        messages.addAll(reissue.messages());
        List<ActivityRequest> activities = new ArrayList<>(checkpoint.activityRequests());
        activities.addAll(reissue.activities());
        return new Checkpoint(checkpoint.workItem(), checkpoint.newEvents(), checkpoint.replaceHistory(), checkpoint.state(),
                messages, activities);
    }
}

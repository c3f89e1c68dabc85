package dev.taskhub.transfer;

import dev.taskhub.history.HistoryEvent;
import dev.taskhub.history.OpenCalls;
import dev.taskhub.history.SubOrchestrationOutcome;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.InstanceImport;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Works out the messages that make an imported instance continue in its new store. The old store's queues do not
 * move, so everything the instance waited for is asked for again:
 *
 * <ul>
 *   <li>an unfinished instance whose history has no {@code ExecutionStarted} (pending, or suspended before its start)
 *       gets its start message again, at its scheduled start time;</li>
 *   <li>each activity scheduled without a result is requested again (same task id and input);</li>
 *   <li>each timer not yet fired gets its firing again, at its fire time (never earlier);</li>
 *   <li>a sub-orchestration without an outcome: if the child is already finished in the target hub, its outcome is sent
 *       to this instance; if it is unfinished there, nothing (it answers when it finishes); if it is not there yet, the
 *       child's own import answers (next point);</li>
 *   <li>a finished child whose parent in the target hub still runs the same execution gets the child's outcome for
 *       that parent.</li>
 * </ul>
 *
 * Message ids are derived from the instance, its execution and the call, so importing the same line again sends the
 * same ids, and both directions of the parent/child answer send the same id; the engine drops a second completion of a
 * call anyway. Events raised to the instance that were still queued in the old store are not in the history and are
 * not moved.
 */
final class ContinuationPlan {
    private final StorageProvider target;

    ContinuationPlan(StorageProvider target) {
        this.target = target;
    }

    InstanceImport plan(ExportedInstance exported, Instant now) {
        InstanceState state = exported.state();
        List<HistoryEvent> history = exported.history();
        String id = state.instanceId();
        String execution = state.executionId();
        List<TaskMessage> messages = new ArrayList<>();
        List<ActivityRequest> activities = new ArrayList<>();
        if (state.status().isTerminal()) {
            answerWaitingParent(state, history, now).ifPresent(messages::add);
            return new InstanceImport(state, history, messages, activities);
        }
        if (history.stream().noneMatch(HistoryEvent.ExecutionStarted.class::isInstance)) {
            messages.add(new TaskMessage(Ids.derived(id, execution, "import-start"), id, execution,
                    new HistoryEvent.ExecutionStarted(-1, now, state.name(), state.version(), state.input(), execution,
                            null, state.scheduledStartAt()), state.scheduledStartAt()));
        }
        for (HistoryEvent call : OpenCalls.of(history)) {
            if (call instanceof HistoryEvent.TaskScheduled t) {
                activities.add(ActivityRequest.of(Ids.derived(id, execution, "import-activity", t.eventId()), id, execution, t));
            } else if (call instanceof HistoryEvent.TimerCreated t) {
                messages.add(TaskMessage.timerFired(Ids.derived(id, execution, "import-timer", t.eventId(), t.fireAt()),
                        id, execution, t));
            } else if (call instanceof HistoryEvent.SubOrchestrationInstanceCreated c) {
                finishedChildAnswer(state, c, now).ifPresent(messages::add);
            }
        }
        return new InstanceImport(state, history, messages, activities);
    }

    /** The outcome of child {@code call} for this parent, when the child is finished in the target hub. */
    private Optional<TaskMessage> finishedChildAnswer(InstanceState parent, HistoryEvent.SubOrchestrationInstanceCreated call,
                                                      Instant now) {
        Optional<InstanceState> child = target.getInstance(call.instanceId());
        if (child.isEmpty() || !child.get().status().isTerminal()) {
            return Optional.empty();
        }
        List<HistoryEvent> childHistory = target.getHistory(call.instanceId());
        Optional<HistoryEvent.ParentInstance> itsParent = SubOrchestrationOutcome.parentOf(childHistory);
        boolean ours = itsParent.isPresent() && itsParent.get().instanceId().equals(parent.instanceId())
                && itsParent.get().taskScheduledId() == call.eventId()
                && (itsParent.get().executionId() == null || itsParent.get().executionId().equals(parent.executionId()));
        if (!ours) {
            return Optional.empty();
        }
        return SubOrchestrationOutcome.of(childHistory, now)
                .map(outcome -> answer(child.get(), itsParent.get(), outcome));
    }

    /** For a finished child: its outcome for its parent, when the parent in the target hub still waits in that execution. */
    private Optional<TaskMessage> answerWaitingParent(InstanceState child, List<HistoryEvent> history, Instant now) {
        Optional<HistoryEvent.ParentInstance> parent = SubOrchestrationOutcome.parentOf(history);
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        Optional<InstanceState> parentState = target.getInstance(parent.get().instanceId());
        boolean waiting = parentState.isPresent() && !parentState.get().status().isTerminal()
                && (parent.get().executionId() == null || parent.get().executionId().equals(parentState.get().executionId()));
        if (!waiting) {
            return Optional.empty();
        }
        return SubOrchestrationOutcome.of(history, now).map(outcome -> answer(child, parent.get(), outcome));
    }

    private static TaskMessage answer(InstanceState child, HistoryEvent.ParentInstance parent, HistoryEvent outcome) {
        return new TaskMessage(Ids.derived(child.instanceId(), child.executionId(), "import-answer"), parent.instanceId(),
                parent.executionId(), outcome, null);
    }
}

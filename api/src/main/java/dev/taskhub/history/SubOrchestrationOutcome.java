package dev.taskhub.history;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a finished sub-orchestration reports to its parent, worked out from its history: the engine sends it when the
 * child finishes, a rewind of the parent asks a finished child for it again, and an import sends it again to a parent
 * that was waiting for it. Stateless and thread-safe.
 */
public final class SubOrchestrationOutcome {
    private SubOrchestrationOutcome() {}

    /** The parent named by the execution's {@link HistoryEvent.ExecutionStarted}; empty for a top-level instance. */
    public static Optional<HistoryEvent.ParentInstance> parentOf(List<HistoryEvent> history) {
        HistoryEvent.ParentInstance parent = null;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ExecutionStarted s && s.parent() != null) {
                parent = s.parent();
            }
        }
        return Optional.ofNullable(parent);
    }

    /**
     * The event the parent records for a child whose history ends this way — a
     * {@link HistoryEvent.SubOrchestrationInstanceCompleted} with the output, or a
     * {@link HistoryEvent.SubOrchestrationInstanceFailed} for a failure or a termination — stamped {@code now}; empty
     * when the history has no parent or has not finished.
     */
    public static Optional<HistoryEvent> of(List<HistoryEvent> history, Instant now) {
        Optional<HistoryEvent.ParentInstance> parent = parentOf(history);
        if (parent.isEmpty()) {
            return Optional.empty();
        }
        int taskId = parent.get().taskScheduledId();
        HistoryEvent outcome = null;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.ExecutionCompleted c) {
                outcome = c.status() == RuntimeStatus.COMPLETED
                        ? new HistoryEvent.SubOrchestrationInstanceCompleted(-1, now, taskId, c.result())
                        : new HistoryEvent.SubOrchestrationInstanceFailed(-1, now, taskId, c.failureDetails());
            } else if (e instanceof HistoryEvent.ExecutionTerminated t) {
                outcome = new HistoryEvent.SubOrchestrationInstanceFailed(-1, now, taskId, terminated(t.reason()));
            } else if (e instanceof HistoryEvent.ExecutionRewound) {
                outcome = null;
            }
        }
        return Optional.ofNullable(outcome);
    }

    /** The failure a parent sees for a terminated child. */
    public static FailureDetails terminated(String reason) {
        return new FailureDetails("Terminated", "The sub-orchestration was terminated: " + reason, "");
    }
}

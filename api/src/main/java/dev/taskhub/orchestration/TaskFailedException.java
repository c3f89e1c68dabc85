package dev.taskhub.orchestration;

import dev.taskhub.FailureDetails;
import dev.taskhub.TaskhubException;

/** Thrown by {@link Task#await()} when an activity or sub-orchestration failed. Catch it to handle the failure. */
public final class TaskFailedException extends TaskhubException {
    private final String taskName;
    private final int taskId;
    private final FailureDetails failureDetails;

    public TaskFailedException(String taskName, int taskId, FailureDetails failureDetails) {
        super("Task '" + taskName + "' (#" + taskId + ") failed: " + failureDetails);
        this.taskName = taskName;
        this.taskId = taskId;
        this.failureDetails = failureDetails;
    }

    public String taskName() {
        return taskName;
    }

    public int taskId() {
        return taskId;
    }

    public FailureDetails failureDetails() {
        return failureDetails;
    }
}

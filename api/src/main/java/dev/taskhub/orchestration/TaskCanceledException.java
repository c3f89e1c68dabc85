package dev.taskhub.orchestration;

import dev.taskhub.TaskhubException;

/** Thrown by {@link Task#await()} when a wait with a timeout (e.g. {@code waitForExternalEvent}) timed out. */
public final class TaskCanceledException extends TaskhubException {
    private final String taskName;

    public TaskCanceledException(String taskName, String message) {
        super(message);
        this.taskName = taskName;
    }

    public String taskName() {
        return taskName;
    }
}

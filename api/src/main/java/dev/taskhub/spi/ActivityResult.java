package dev.taskhub.spi;

/**
 * The outcome of one activity execution: delete the activity message held by {@code workItem} and enqueue
 * {@code response} (a TaskCompleted or TaskFailed message) on the orchestration queue, all-or-nothing.
 */
public record ActivityResult(ActivityWorkItem workItem, TaskMessage response) {}

package dev.taskhub.activity;

/** What an activity can see about its invocation. */
public interface ActivityContext {
    String getName();

    /** The orchestration instance that called this activity. */
    String getInstanceId();

    /** The sequence number of the call in its orchestration. */
    int getTaskId();

    /** How many times this invocation has been delivered, starting at 1. */
    int getDeliveryCount();

    <T> T getInput(Class<T> type);
}

package dev.taskhub.internal;

import java.time.Instant;

/** A durable call the orchestrator made in this replay, matched against the history's recorded actions. */
sealed interface Action {
    int id();

    String describe();

    record ScheduleTask(int id, String name, String input) implements Action {
        public String describe() { return "call activity '" + name + "' (#" + id + ")"; }
    }

    record CreateTimer(int id, Instant fireAt) implements Action {
        public String describe() { return "create a timer (#" + id + ")"; }
    }

    record CreateSubOrchestration(int id, String name, String instanceId, String input) implements Action {
        public String describe() { return "call sub-orchestrator '" + name + "' (#" + id + ")"; }
    }

    record SendEvent(int id, String instanceId, String name, String input) implements Action {
        public String describe() { return "send event '" + name + "' to '" + instanceId + "' (#" + id + ")"; }
    }
}

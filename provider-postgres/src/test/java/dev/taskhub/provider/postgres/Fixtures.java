package dev.taskhub.provider.postgres;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** Builders for SPI values used by the provider tests. */
final class Fixtures {
    private Fixtures() {}

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    static InstanceState pending(String id) {
        return pending(id, now());
    }

    static InstanceState pending(String id, Instant created) {
        return InstanceState.builder().instanceId(id).name("Hello").executionId("exec-1").status(RuntimeStatus.PENDING)
                .input("\"in\"").createdAt(created).lastUpdatedAt(created).build();
    }

    static TaskMessage start(String id) {
        return start(id, null);
    }

    static TaskMessage start(String id, Instant visibleAt) {
        return new TaskMessage(UUID.randomUUID().toString(), id, "exec-1",
                new HistoryEvent.ExecutionStarted(-1, now(), "Hello", null, "\"in\"", "exec-1", null, visibleAt), visibleAt);
    }

    static TaskMessage event(String id, String name, Instant visibleAt) {
        String mid = UUID.randomUUID().toString();
        return new TaskMessage(mid, id, null, new HistoryEvent.EventRaised(-1, now(), name, "1", mid), visibleAt);
    }

    static TaskMessage taskCompleted(String id, int taskId, String result) {
        return new TaskMessage(UUID.randomUUID().toString(), id, "exec-1",
                new HistoryEvent.TaskCompleted(-1, now(), taskId, result), null);
    }

    static ActivityRequest activity(String id, int taskId, String name) {
        return new ActivityRequest(UUID.randomUUID().toString(), id, "exec-1", taskId, name, "\"x\"");
    }

    static InstanceState withStatus(OrchestrationWorkItem item, RuntimeStatus status) {
        InstanceState s = item.instance();
        return s.toBuilder().status(status).output(status == RuntimeStatus.COMPLETED ? "\"done\"" : s.output())
                .lastUpdatedAt(now()).build();
    }

    /** A checkpoint that records the delivered messages as history and sets the status. */
    static Checkpoint episode(OrchestrationWorkItem item, RuntimeStatus status, List<TaskMessage> out, List<ActivityRequest> activities) {
        List<HistoryEvent> events = new java.util.ArrayList<>();
        events.add(new HistoryEvent.OrchestratorStarted(-1, now()));
        item.messages().forEach(m -> events.add(m.event()));
        events.add(new HistoryEvent.OrchestratorCompleted(-1, now()));
        return new Checkpoint(item, events, false, item.instance() == null ? null : withStatus(item, status), out, activities);
    }
}

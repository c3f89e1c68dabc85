package dev.taskhub.provider.azurestorage;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Builds SPI values for provider-level tests. */
final class SpiFixtures {
    private SpiFixtures() {}

    static String newId() {
        return UUID.randomUUID().toString();
    }

    static InstanceState pending(String id, String input) {
        Instant now = Instant.now();
        return InstanceState.builder().instanceId(id).name("Orch").executionId("exec-" + id)
                .status(RuntimeStatus.PENDING).input(input).createdAt(now).lastUpdatedAt(now).build();
    }

    static TaskMessage start(InstanceState s) {
        return new TaskMessage(newId(), s.instanceId(), s.executionId(),
                new HistoryEvent.ExecutionStarted(-1, s.createdAt(), s.name(), null, s.input(), s.executionId(), null, null), null);
    }

    static void create(StorageProvider p, String id, String input) {
        InstanceState s = pending(id, input);
        p.createInstance(s, start(s), Set.of(RuntimeStatus.COMPLETED, RuntimeStatus.FAILED, RuntimeStatus.TERMINATED));
    }

    static TaskMessage event(String id, String name, String data) {
        return new TaskMessage(newId(), id, null, new HistoryEvent.EventRaised(-1, Instant.now(), name, data, null), null);
    }

    /** Locks until the given instances are all locked (or the timeout passes); returns their work items. */
    static List<OrchestrationWorkItem> lockAll(StorageProvider p, int count, Duration timeout) {
        List<OrchestrationWorkItem> items = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (items.size() < count && System.nanoTime() < deadline) {
            items.addAll(p.lockOrchestrationWorkItems(count - items.size(), Duration.ofSeconds(30), Duration.ofMillis(500)));
        }
        return items;
    }

    static OrchestrationWorkItem lockOne(StorageProvider p, Duration timeout) {
        List<OrchestrationWorkItem> items = lockAll(p, 1, timeout);
        return items.isEmpty() ? null : items.get(0);
    }

    /** A checkpoint that records the messages and completes the instance with {@code output}. */
    static Checkpoint complete(OrchestrationWorkItem item, String output) {
        InstanceState base = item.instance() != null ? item.instance() : stateFromStart(item);
        Instant now = Instant.now();
        List<HistoryEvent> events = new ArrayList<>();
        events.add(new HistoryEvent.OrchestratorStarted(-1, now));
        item.messages().forEach(m -> events.add(m.event()));
        events.add(new HistoryEvent.ExecutionCompleted(-1, now, RuntimeStatus.COMPLETED, output, null));
        InstanceState done = base.toBuilder().status(RuntimeStatus.COMPLETED).output(output).customStatus(null)
                .failureDetails(null).lastUpdatedAt(now).scheduledStartAt(null).build();
        return new Checkpoint(item, events, false, done, List.of(), List.of());
    }

    /** A checkpoint that records the messages, keeps the instance running and schedules an activity. */
    static Checkpoint running(OrchestrationWorkItem item, List<ActivityRequest> activities, List<TaskMessage> messages) {
        InstanceState base = item.instance() != null ? item.instance() : stateFromStart(item);
        Instant now = Instant.now();
        List<HistoryEvent> events = new ArrayList<>();
        events.add(new HistoryEvent.OrchestratorStarted(-1, now));
        item.messages().forEach(m -> events.add(m.event()));
        for (ActivityRequest a : activities) {
            events.add(new HistoryEvent.TaskScheduled(a.taskId(), now, a.name(), a.input()));
        }
        InstanceState running = base.toBuilder().status(RuntimeStatus.RUNNING).output(null).customStatus(null)
                .failureDetails(null).lastUpdatedAt(now).scheduledStartAt(null).build();
        return new Checkpoint(item, events, false, running, messages, activities);
    }

    private static InstanceState stateFromStart(OrchestrationWorkItem item) {
        HistoryEvent.ExecutionStarted started = item.messages().stream().map(TaskMessage::event)
                .filter(HistoryEvent.ExecutionStarted.class::isInstance).map(HistoryEvent.ExecutionStarted.class::cast).findFirst()
                .orElseThrow();
        Instant now = Instant.now();
        return InstanceState.builder().instanceId(item.instanceId()).name(started.name())
                .executionId(started.executionId()).status(RuntimeStatus.RUNNING).input(started.input()).createdAt(now)
                .lastUpdatedAt(now).build();
    }
}

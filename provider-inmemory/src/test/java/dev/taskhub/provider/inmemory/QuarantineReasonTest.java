package dev.taskhub.provider.inmemory;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.support.ForwardingStorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the worker that quarantines messages saw their episodes fail, the record's reason carries the last error: here
 * the history of a running instance cannot be read five times in a row (as when a store keeps failing on one row).
 */
class QuarantineReasonTest {
    private final InMemoryStorageProvider store = InMemoryStorageProvider.create("Reason" + UUID.randomUUID(), Clock.systemUTC());
    private TaskHubWorker worker;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
        store.deleteTaskHub();
    }

    private TaskHubWorker start(StorageProvider on) {
        return TaskHubWorker.builder(on)
                .addOrchestrator("Waits", ctx -> ctx.waitForExternalEvent("Go", String.class).await())
                .options(WorkerOptions.builder().maxDeliveryCount(5).retentionInterval(Duration.ZERO)
                        .pollWait(Duration.ofMillis(50)).build()).build().start();
    }

    @Test
    void theReason_carriesTheLastErrorTheWorkerSaw() {
        TaskHubClient client = new TaskHubClient(store);
        String id = client.scheduleNewOrchestrationInstance("Waits");
        try (TaskHubWorker first = start(store)) {
            client.waitForInstanceStart(id, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (client.getHistory(id).stream().noneMatch(HistoryEvent.OrchestratorCompleted.class::isInstance)
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        }
        AtomicInteger failures = new AtomicInteger();
        StorageProvider flaky = new ForwardingStorageProvider(store) {
            @Override
            public List<HistoryEvent> getHistory(String instanceId) {
                if (instanceId.equals(id) && failures.incrementAndGet() <= 5) {
                    throw new IllegalStateException("history row " + failures.get() + " unreadable");
                }
                return super.getHistory(instanceId);
            }
        };
        client.raiseEvent(id, "Go", "now");
        worker = start(flaky);
        assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(60), Duration.ofMillis(20)).runtimeStatus())
                .isEqualTo(RuntimeStatus.FAILED);
        List<QuarantineRecord> records = store.listQuarantineRecords(QuarantineQuery.builder().instanceId(id).build()).records();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).deliveryCount()).isEqualTo(6);
        assertThat(records.get(0).reason()).contains("delivered 6 times").contains("[EventRaised]")
                .contains("Last error: java.lang.IllegalStateException: history row 5 unreadable");
    }
}

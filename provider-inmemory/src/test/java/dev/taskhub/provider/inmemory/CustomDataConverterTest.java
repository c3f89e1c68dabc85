package dev.taskhub.provider.inmemory;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A user {@link DataConverter} plugged into the worker and the client: every user payload (inputs, outputs, custom
 * status, event data, activity inputs and results) is stored in its representation, while the history envelope stays
 * Taskhub's own JSON. Client and worker must use the same converter.
 */
class CustomDataConverterTest {
    /** Stores JSON behind a marker and refuses text without it, so a payload that skipped the converter is noticed. */
    static final class MarkedConverter implements DataConverter {
        static final String MARK = "marked:";
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public String serialize(Object value) {
            writes.incrementAndGet();
            String json = JsonDataConverter.DEFAULT.serialize(value);
            return json == null ? null : MARK + json;
        }

        @Override
        public <T> T deserialize(String data, Class<T> type) {
            reads.incrementAndGet();
            if (data == null) {
                return null;
            }
            if (!data.startsWith(MARK)) {
                throw new InvalidRequestException("Not written by MarkedConverter: " + data);
            }
            return JsonDataConverter.DEFAULT.deserialize(data.substring(MARK.length()), type);
        }
    }

    record Order(String item, int quantity) {}

    record Receipt(String item, int quantity, String approvedBy) {}

    private final MarkedConverter converter = new MarkedConverter();
    private StorageProvider provider;

    @BeforeEach
    void createHub() {
        provider = new InMemoryStorageProviderFactory().create(ProviderConfig.of("inmemory", "conv" + UUID.randomUUID().toString().substring(0, 8)));
        provider.createTaskHub();
    }

    @AfterEach
    void deleteHub() {
        provider.deleteTaskHub();
        provider.close();
    }

    private TaskHubWorker worker(DataConverter workerConverter) {
        return TaskHubWorker.builder(provider)
                .options(WorkerOptions.builder().dataConverter(workerConverter).pollWait(Duration.ofMillis(50)).build())
                .addOrchestrator("Approve", ctx -> {
                    Order order = ctx.getInput(Order.class);
                    ctx.setCustomStatus(new Order("waiting", order.quantity()));
                    Order packed = ctx.callActivity("Pack", order, Order.class).await();
                    String approver = ctx.waitForExternalEvent("Approval", String.class).await();
                    return new Receipt(packed.item(), packed.quantity(), approver);
                })
                .addActivity("Pack", ctx -> {
                    Order order = ctx.getInput(Order.class);
                    return new Order(order.item().toUpperCase(), order.quantity() * 2);
                })
                .build().start();
    }

    @Test
    void inputsOutputsStatusAndEvents_roundTripThroughTheConverter_andTheEnvelopeStaysJson() {
        TaskHubClient client = new TaskHubClient(provider, converter);
        try (TaskHubWorker ignored = worker(converter)) {
            String id = client.scheduleNewOrchestrationInstance("Approve", new Order("tea", 3));
            client.raiseEvent(id, "Approval", "alice");
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(10));

            assertThat(done.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(done.dataConverter()).isSameAs(converter);
            assertThat(done.readInputAs(Order.class)).isEqualTo(new Order("tea", 3));
            assertThat(done.readOutputAs(Receipt.class)).isEqualTo(new Receipt("TEA", 6, "alice"));
            assertThat(done.readCustomStatusAs(Order.class)).isEqualTo(new Order("waiting", 3));

            // Stored state: every user payload in the converter's representation.
            InstanceState stored = provider.getInstance(id).orElseThrow();
            assertThat(List.of(stored.input(), stored.output(), stored.customStatus()))
                    .allMatch(text -> text.startsWith(MarkedConverter.MARK));
            List<HistoryEvent> history = client.getHistory(id);
            assertThat(history).filteredOn(HistoryEvent.TaskScheduled.class::isInstance)
                    .singleElement().extracting(e -> ((HistoryEvent.TaskScheduled) e).input())
                    .isEqualTo(MarkedConverter.MARK + "{\"item\":\"tea\",\"quantity\":3}");
            assertThat(history).filteredOn(HistoryEvent.TaskCompleted.class::isInstance)
                    .singleElement().extracting(e -> ((HistoryEvent.TaskCompleted) e).result())
                    .isEqualTo(MarkedConverter.MARK + "{\"item\":\"TEA\",\"quantity\":6}");
            assertThat(history).filteredOn(HistoryEvent.EventRaised.class::isInstance)
                    .singleElement().extracting(e -> ((HistoryEvent.EventRaised) e).input())
                    .isEqualTo(MarkedConverter.MARK + "\"alice\"");
            assertThat(converter.writes.get()).isPositive();
            assertThat(converter.reads.get()).isPositive();

            // A restart passes the stored input on as it is: no second marker.
            String again = client.restart(id, true);
            client.raiseEvent(again, "Approval", "bob");
            OrchestrationMetadata restarted = client.waitForInstanceCompletion(again, Duration.ofSeconds(10));
            assertThat(restarted.serializedInput()).isEqualTo(stored.input());
            assertThat(restarted.readOutputAs(Receipt.class)).isEqualTo(new Receipt("TEA", 6, "bob"));

            // A client with the default converter cannot read what this one wrote.
            OrchestrationMetadata plain = new TaskHubClient(provider).getInstanceMetadata(id, true).orElseThrow();
            assertThat(plain.dataConverter()).isSameAs(JsonDataConverter.DEFAULT);
            assertThatThrownBy(() -> plain.readOutputAs(Receipt.class)).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void aWorkerWithAnotherConverter_failsTheInstance_readingTheClientsInput() {
        TaskHubClient client = new TaskHubClient(provider, converter);
        try (TaskHubWorker ignored = worker(JsonDataConverter.DEFAULT)) {
            String id = client.scheduleNewOrchestrationInstance("Approve", new Order("tea", 3));
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(10));
            assertThat(done.runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
            assertThat(done.failureDetails()).hasValueSatisfying(f -> assertThat(f.message()).contains("JSON"));
        }
    }

    @Test
    void workerOptions_refuseANullConverter() {
        assertThatThrownBy(() -> WorkerOptions.builder().dataConverter(null).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("JsonDataConverter.DEFAULT");
        assertThat(WorkerOptions.defaults().dataConverter()).isSameAs(JsonDataConverter.DEFAULT);
    }
}

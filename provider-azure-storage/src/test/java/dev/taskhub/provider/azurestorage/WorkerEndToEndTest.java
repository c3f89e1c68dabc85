package dev.taskhub.provider.azurestorage;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The real worker and client on the Azure provider: chains, fan-out, timers and events, request counts. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerEndToEndTest {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerEndToEndTest.class);
    private AzureStorageProvider provider;
    private TaskHubWorker worker;
    private TaskHubClient client;
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

    @BeforeAll
    void start() {
        provider = AzuriteFixture.provider(AzuriteFixture.hubName("AzE2e"));
        provider.createTaskHub();
        worker = TestOrchestrations.worker(provider, input -> runs.computeIfAbsent(input, k -> new AtomicInteger()).incrementAndGet()).start();
        client = new TaskHubClient(provider);
    }

    @AfterAll
    void stop() {
        if (worker != null) {
            worker.close();
        }
        if (provider != null) {
            provider.deleteTaskHub();
            provider.close();
        }
    }

    private OrchestrationMetadata completed(String id) {
        OrchestrationMetadata m = client.waitForInstanceCompletion(id, Duration.ofSeconds(30));
        assertThat(m.runtimeStatus()).as("status of %s: %s", id, m.failureDetails()).isEqualTo(RuntimeStatus.COMPLETED);
        return m;
    }

    @Test
    void chains_completeWithOutputs() {
        provider.resetRequestCounts();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(client.scheduleNewOrchestrationInstance(TestOrchestrations.CHAIN, "c" + i));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(completed(ids.get(i)).readOutputAs(String.class)).isEqualTo("done:c" + i + "-1,done:c" + i + "-2,done:c" + i + "-3");
            assertThat(client.getHistory(ids.get(i))).filteredOn(e -> e instanceof HistoryEvent.ExecutionCompleted).hasSize(1);
        }
        LOG.info("5 chains of 3 activities used {} storage requests: {}", provider.totalRequests(), provider.requestCounts());
        assertThat(provider.totalRequests()).isPositive();
    }

    @Test
    void fanOut_runsEveryActivity() {
        String id = client.scheduleNewOrchestrationInstance(TestOrchestrations.FAN_OUT, 40);
        assertThat(completed(id).readOutputAs(Integer.class)).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            assertThat(runs.get("f" + i)).as("activity f%d ran", i).isNotNull();
        }
    }

    @Test
    void timerThenEvent_completes() {
        String id = client.scheduleNewOrchestrationInstance(TestOrchestrations.TIMER_AND_EVENT, null);
        client.waitForInstanceStart(id, Duration.ofSeconds(10));
        client.raiseEvent(id, "go", "now");
        OrchestrationMetadata m = completed(id);
        assertThat(m.readOutputAs(String.class)).isEqualTo("got now");
        List<HistoryEvent> history = client.getHistory(id);
        HistoryEvent.TimerCreated created = history.stream().filter(e -> e instanceof HistoryEvent.TimerCreated)
                .map(HistoryEvent.TimerCreated.class::cast).findFirst().orElseThrow();
        HistoryEvent.OrchestratorStarted afterTimer = null;
        boolean fired = false;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.TimerFired) {
                fired = true;
            } else if (fired && afterTimer == null && e instanceof HistoryEvent.OrchestratorStarted os) {
                afterTimer = os;
            }
        }
        assertThat(fired).isTrue();
        assertThat(history.stream().filter(e -> e instanceof HistoryEvent.OrchestratorStarted).reduce((a, b) -> b).orElseThrow().timestamp())
                .isAfterOrEqualTo(created.fireAt());
    }
}

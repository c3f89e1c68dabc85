package dev.taskhub.samples;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SamplesTest {
    private StorageProvider provider;
    private TaskHubWorker worker;
    private TaskHubClient client;

    @BeforeEach
    void start() {
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", "Samples" + UUID.randomUUID().toString().substring(0, 8)));
        worker = TaskHubWorker.builder(provider).addModule(new SamplesModule()).build().start();
        client = new TaskHubClient(provider);
    }

    @AfterEach
    void stop() {
        worker.close();
        provider.deleteTaskHub();
        provider.close();
    }

    private OrchestrationMetadata complete(String id) {
        OrchestrationMetadata m = client.waitForInstanceCompletion(id, Duration.ofSeconds(10));
        assertThat(m.runtimeStatus()).as("status of %s: %s", id, m.failureDetails()).isEqualTo(RuntimeStatus.COMPLETED);
        return m;
    }

    @Test
    void helloSequence_saysHelloToThreeCities() {
        String id = client.scheduleNewOrchestrationInstance(HelloSequence.ORCHESTRATOR);
        assertThat(complete(id).serializedOutput()).isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
    }

    @Test
    void fanOutFanIn_sumsDoubledItems() {
        String id = client.scheduleNewOrchestrationInstance(FanOutFanIn.ORCHESTRATOR, 100);
        assertThat(complete(id).readOutputAs(Long.class)).isEqualTo(2L * 100 * 101 / 2);
    }

    @Test
    void humanApproval_approvedByEvent() {
        String id = client.scheduleNewOrchestrationInstance(HumanApproval.ORCHESTRATOR, 60);
        client.raiseEvent(id, HumanApproval.EVENT, true);
        assertThat(complete(id).readOutputAs(String.class)).isEqualTo("Approved");
    }

    @Test
    void humanApproval_escalatesAfterTimeout() {
        String id = client.scheduleNewOrchestrationInstance(HumanApproval.ORCHESTRATOR, 1);
        assertThat(complete(id).readOutputAs(String.class)).startsWith("Escalated");
    }

    @Test
    void counter_continuesAsNewUntilStopped() {
        String id = client.scheduleNewOrchestrationInstance(Counter.ORCHESTRATOR, 0);
        client.raiseEvent(id, Counter.EVENT, "add");
        client.raiseEvent(id, Counter.EVENT, "add");
        client.raiseEvent(id, Counter.EVENT, "add");
        client.raiseEvent(id, Counter.EVENT, "stop");
        assertThat(complete(id).readOutputAs(Integer.class)).isEqualTo(3);
    }

    @Test
    void monitor_pollsUntilJobCompletes() {
        String id = client.scheduleNewOrchestrationInstance(Monitor.ORCHESTRATOR, new Monitor.Request("job-1", 3, 50));
        assertThat(complete(id).readOutputAs(String.class)).isEqualTo("Job job-1 completed after 3 checks");
    }
}

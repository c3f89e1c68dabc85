package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantinedMessage;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static dev.taskhub.http.ManagementServerTest.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stuck-instance and quarantine routes on a real server over a real hub: a worker really exceeds the maximum
 * delivery count, and the record is listed, shown, replayed (the instance completes) and discarded through HTTP, with
 * the error statuses of bad parameters, unknown records and refused replays.
 */
class StuckAndQuarantineHttpTest {
    private static final String KEY = "key-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    private StorageProvider provider;
    private TaskHubClient client;
    private ManagementServer server;
    private TaskHubWorker worker;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", "Stuck" + UUID.randomUUID().toString().substring(0, 8)));
        client = new TaskHubClient(provider);
        server = ManagementServer.builder(client).port(0).systemKey(KEY).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        if (worker != null) {
            worker.close();
        }
        provider.deleteTaskHub();
        provider.close();
    }

    private HttpResponse<String> send(String method, String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).header(ManagementRoute.KEY_HEADER, KEY).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** Locks and abandons the instance's work item, as a worker that crashes on it would. */
    private void crashOn(String id, int times) {
        for (int i = 0; i < times; i++) {
            OrchestrationWorkItem item = provider.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ofSeconds(5)).get(0);
            assertThat(item.instanceId()).isEqualTo(id);
            provider.abandonOrchestrationWorkItem(item, Duration.ZERO);
        }
    }

    @Test
    void stuckRoute_showsTheReasonsAndFacts_andRefusesBadParameters() throws Exception {
        String id = client.scheduleNewOrchestrationInstance("Poison");
        crashOn(id, 3);
        Thread.sleep(5);
        HttpResponse<String> r = send("GET", "/taskhub/stuck?threshold=1ms&limit=10");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("more").asBoolean()).isFalse();
        assertThat(body.get("examined")).hasSize(4);
        JsonNode instance = body.get("instances").get(0);
        assertThat(instance.get("instanceId").asText()).isEqualTo(id);
        assertThat(instance.get("runtimeStatus").asText()).isEqualTo("Pending");
        assertThat(instance.get("reasons")).extracting(JsonNode::asText).containsExactly("Pending", "RepeatedFailures");
        assertThat(instance.get("deliveryCount").asInt()).isEqualTo(3);
        assertThat(json(send("GET", "/taskhub/stuck?threshold=1h")).get("instances").get(0).get("reasons"))
                .as("pending within the threshold; repeated deliveries count whenever they happened")
                .extracting(JsonNode::asText).containsExactly("RepeatedFailures");
        assertThat(json(send("GET", "/taskhub/stuck?threshold=1ms&repeatedDeliveries=4")).get("instances").get(0).get("reasons"))
                .extracting(JsonNode::asText).containsExactly("Pending");

        for (String bad : List.of("threshold=soon", "limit=0", "limit=5000", "repeatedDeliveries=1")) {
            HttpResponse<String> refused = send("GET", "/taskhub/stuck?" + bad);
            assertThat(refused.statusCode()).as(bad + ": " + refused.body()).isEqualTo(400);
            assertThat(json(refused).get("message").asText()).as(bad).containsAnyOf("threshold", "limit", "epeated");
        }
    }

    @Test
    void quarantineRoutes_listShowReplayAndDiscard() {
        String id = client.scheduleNewOrchestrationInstance("Poison", "in");
        crashOn(id, 5);
        worker = TaskHubWorker.builder(provider).addOrchestrator("Poison", ctx -> "replayed " + ctx.getInput(String.class))
                .options(WorkerOptions.builder().maxDeliveryCount(5).retentionInterval(Duration.ZERO).build()).build().start();
        assertThat(awaitStatus(client, id, RuntimeStatus.FAILED, Duration.ofSeconds(30))).isEqualTo(RuntimeStatus.FAILED);

        HttpResponse<String> list = send("GET", "/taskhub/quarantine?instanceId=" + id);
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(json(list)).hasSize(1);
        JsonNode record = json(list).get(0);
        String recordId = record.get("id").asText();
        assertThat(record.get("kind").asText()).isEqualTo("Orchestration");
        assertThat(record.get("deliveryCount").asInt()).isEqualTo(6);
        assertThat(record.get("messages").get(0).get("event").get("EventType").asText()).isEqualTo("ExecutionStarted");
        assertThat(json(send("GET", "/taskhub/quarantine?kind=Activity"))).isEmpty();
        assertThat(send("GET", "/taskhub/quarantine?kind=Poison").statusCode()).isEqualTo(400);
        assertThat(json(send("GET", "/taskhub/quarantine/" + recordId))).isEqualTo(record);
        HttpResponse<String> missing = send("GET", "/taskhub/quarantine/no-such-record");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("message").asText()).contains("no-such-record");
        JsonNode health = json(send("GET", "/health"));
        assertThat(health.get("status").asText()).isEqualTo("Degraded");
        assertThat(health.get("quarantined").asInt()).isEqualTo(1);

        HttpResponse<String> replay = send("POST", "/taskhub/quarantine/" + recordId + "/replay");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json(replay).get("rewound").asBoolean()).isTrue();
        assertThat(json(replay).get("messagesSent").asInt()).isEqualTo(1);
        assertThat(awaitStatus(client, id, RuntimeStatus.COMPLETED, Duration.ofSeconds(30))).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(client.getInstanceMetadata(id, true).orElseThrow().readOutputAs(String.class)).isEqualTo("replayed in");
        assertThat(send("POST", "/taskhub/quarantine/" + recordId + "/replay").statusCode()).isEqualTo(404);

        // a record for the completed instance: replay can do nothing (409), discard deletes it
        String execution = client.getInstanceMetadata(id, false).orElseThrow().executionId();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        QuarantineRecord late = new QuarantineRecord("late-" + id, id, execution, QuarantineRecord.Kind.ORCHESTRATION,
                List.of(new QuarantinedMessage("m-late", execution, new HistoryEvent.EventRaised(-1, now, "Go", null, "m-late"), null)),
                6, "test", now);
        provider.putQuarantineRecord(late);
        HttpResponse<String> refused = send("POST", "/taskhub/quarantine/" + late.id() + "/replay");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(json(refused).get("message").asText()).contains("Completed").contains("discard");
        HttpResponse<String> discarded = send("DELETE", "/taskhub/quarantine/" + late.id());
        assertThat(discarded.statusCode()).as(discarded.body()).isEqualTo(200);
        assertThat(json(discarded).get("discarded").asBoolean()).isTrue();
        assertThat(send("DELETE", "/taskhub/quarantine/" + late.id()).statusCode()).isEqualTo(404);
        assertThat(json(send("GET", "/taskhub/quarantine"))).isEmpty();
    }
}

package dev.taskhub.samples.springboot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spring.boot.TaskhubWorkerLifecycle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Boots the sample on PostgreSQL (the application's DataSource, a task hub of its own), starts an order over REST,
 * follows it to completion, and reads Actuator's health and info and the HTTP management API.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OrderApplicationTest {
    private static final String HUB = "orders_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private static final String KEY = "test-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String databaseUrl;

    @BeforeAll
    static void requirePostgres() {
        String env = System.getenv("TASKHUB_POSTGRES_URL");
        databaseUrl = env != null && env.startsWith("jdbc:postgresql:") ? env : "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
        Properties p = new Properties();
        p.setProperty("connectTimeout", "2");
        String problem = null;
        try (Connection ignored = DriverManager.getConnection(databaseUrl, p)) {
            // answers
        } catch (SQLException e) {
            problem = "No PostgreSQL server for the Spring Boot sample's test (" + e.getMessage()
                    + "). Set TASKHUB_POSTGRES_URL (jdbc:postgresql://...) or start PostgreSQL on 127.0.0.1:5432.";
            System.err.println("SKIPPED: " + problem);
            assertThat("true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS")))
                    .as("TASKHUB_REQUIRE_ALL_PROVIDERS=true but " + problem).isFalse();
        }
        assumeTrue(problem == null, problem);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> databaseUrl);
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "6");
        registry.add("taskhub.hub-name", () -> HUB);
        registry.add("taskhub.http.enabled", () -> "true");
        registry.add("taskhub.http.port", () -> "0");
        registry.add("taskhub.http.key", () -> KEY);
    }

    private static StorageProvider providerToClean;
    private static TaskhubWorkerLifecycle workerToStop;

    @AfterAll
    static void deleteTheHub() {
        if (providerToClean != null) {
            workerToStop.stop();
            providerToClean.deleteTaskHub();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    TaskHubClient client;
    @Autowired
    StorageProvider provider;
    @Autowired
    TaskhubWorkerLifecycle worker;
    @Autowired
    ManagementServer managementServer;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String local(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @Test
    void order_startedOverRest_completesOnPostgres_andHealthAndInfoReportTheHub() throws Exception {
        providerToClean = provider;
        workerToStop = worker;
        assertThat(provider.providerName()).isEqualTo("postgres");
        assertThat(provider.taskHubName()).isEqualTo(HUB);

        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(local("/orders")))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"book\",\"quantity\":2}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String id = JSON.readTree(started.body()).get("id").asText();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonNode status = JSON.readTree(get(local("/orders/" + id)).body());
            assertThat(status.get("runtimeStatus").asText()).isEqualTo("COMPLETED");
        });
        JsonNode result = JSON.readTree(get(local("/orders/" + id)).body()).get("result");
        assertThat(result.get("totalCents").asLong()).isEqualTo(2_500);
        assertThat(result.get("trackingNumber").asText()).startsWith("TRACK-");
        assertThat(client.getInstanceMetadata(id, false, false, false)).get()
                .satisfies(m -> assertThat(m.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED));

        // an unknown item fails the activity, and so the order, with the activity's message
        String bad = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(local("/orders")))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"piano\",\"quantity\":1}")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("id").asText();
        assertThat(client.waitForInstanceCompletion(bad, Duration.ofSeconds(60)).runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(get(local("/orders/" + bad)).body()).contains("No such item");

        HttpResponse<String> health = get(local("/actuator/health"));
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        JsonNode taskhub = JSON.readTree(health.body()).at("/components/taskhub");
        assertThat(taskhub.get("status").asText()).isEqualTo("UP");
        assertThat(taskhub.at("/details/provider").asText()).isEqualTo("postgres");
        assertThat(taskhub.at("/details/hub").asText()).isEqualTo(HUB);

        JsonNode info = JSON.readTree(get(local("/actuator/info")).body()).get("taskhub");
        assertThat(info.get("provider").asText()).isEqualTo("postgres");
        assertThat(info.at("/worker/orchestrators").toString()).contains("ProcessOrder");
        assertThat(info.at("/worker/activities").toString()).contains("ReserveInventory", "ChargePayment", "ShipOrder");
        assertThat(health.body() + info).doesNotContain(KEY);

        // the HTTP management API on its own port, with the key from the properties
        String status = managementServer.baseUrl() + "/instances/" + id;
        assertThat(get(status).statusCode()).isEqualTo(401);
        HttpResponse<String> managed = get(status, ManagementServer.KEY_HEADER, KEY);
        assertThat(managed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(managed.body()).get("runtimeStatus").asText()).isEqualTo("Completed");
    }
}

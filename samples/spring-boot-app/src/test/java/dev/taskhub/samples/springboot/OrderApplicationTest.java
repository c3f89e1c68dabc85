package dev.taskhub.samples.springboot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spring.boot.TaskhubWorkerLifecycle;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
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
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Boots the sample on PostgreSQL (the application's DataSource, a task hub of its own), starts an order over REST,
 * follows it to completion, and reads Actuator's health, info and Prometheus scrape, the HTTP management API, and the
 * order's spans (an OpenTelemetry SDK with an in-memory exporter, from {@link Tracing}).
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
        registry.add("taskhub.metrics.instance-counts-interval", () -> "1s");
    }

    /** The application's OpenTelemetry in this test: an SDK whose spans stay in memory (production would export them). */
    @TestConfiguration(proxyBeanMethods = false)
    static class Tracing {
        @Bean
        InMemorySpanExporter spanExporter() {
            return InMemorySpanExporter.create();
        }

        @Bean(destroyMethod = "close")
        OpenTelemetrySdk openTelemetry(InMemorySpanExporter exporter) {
            return OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                    .build();
        }
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
    @Autowired
    InMemorySpanExporter spans;

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

    /** The value of the one sample of {@code metric} in a Prometheus scrape whose labels include all of {@code labels}. */
    private static double sample(String scrape, String metric, String... labels) {
        List<String> lines = scrape.lines()
                .filter(l -> l.startsWith(metric + "{") && Arrays.stream(labels).allMatch(l::contains)).toList();
        assertThat(lines).as("%s%s in the scrape", metric, Arrays.toString(labels)).hasSize(1);
        String line = lines.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private List<SpanData> spansOf(String instanceId) {
        return spans.getFinishedSpanItems().stream()
                .filter(s -> instanceId.equals(s.getAttributes().get(AttributeKey.stringKey("durabletask.task.instance_id")))).toList();
    }

    private List<String> spanNames(String instanceId) {
        return spansOf(instanceId).stream().map(SpanData::getName).toList();
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

        // Taskhub's meters in the Prometheus scrape, with the values of the two orders
        String hubLabel = "hub=\"" + HUB + "\"";
        String processOrder = "orchestration=\"ProcessOrder\"";
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> scraped = get(local("/actuator/prometheus"));
            assertThat(scraped.statusCode()).isEqualTo(200);
            String scrape = scraped.body();
            assertThat(sample(scrape, "taskhub_orchestration_started_total", hubLabel, processOrder)).isEqualTo(2.0);
            assertThat(sample(scrape, "taskhub_orchestration_completed_total", hubLabel, processOrder)).isEqualTo(1.0);
            assertThat(sample(scrape, "taskhub_orchestration_failed_total", hubLabel, processOrder)).isEqualTo(1.0);
            assertThat(sample(scrape, "taskhub_activity_execution_latency_seconds_count", hubLabel,
                    "activity=\"ShipOrder\"", "outcome=\"success\"")).isEqualTo(1.0);
            assertThat(sample(scrape, "taskhub_activity_execution_latency_seconds_sum", hubLabel,
                    "activity=\"ShipOrder\"", "outcome=\"success\"")).isPositive();
            assertThat(sample(scrape, "taskhub_orchestration_endtoend_latency_seconds_count", hubLabel, processOrder,
                    "status=\"Completed\"")).isEqualTo(1.0);
            assertThat(sample(scrape, "taskhub_worker_activities_capacity", hubLabel)).isEqualTo(4.0);
            assertThat(sample(scrape, "taskhub_instances", hubLabel, processOrder, "status=\"Completed\"")).isEqualTo(1.0);
            assertThat(sample(scrape, "taskhub_instances", hubLabel, processOrder, "status=\"Failed\"")).isEqualTo(1.0);
        });

        // each order's spans form one trace: the start by the controller's client, the orchestration, its activities
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(spanNames(id)).contains("create_orchestration:ProcessOrder", "orchestration:ProcessOrder",
                    "activity:ReserveInventory", "activity:ChargePayment", "activity:ShipOrder");
            assertThat(spanNames(bad)).contains("create_orchestration:ProcessOrder", "orchestration:ProcessOrder",
                    "activity:ReserveInventory");
        });
        List<SpanData> good = spansOf(id);
        assertThat(good.stream().map(SpanData::getTraceId).distinct()).hasSize(1);
        SpanData start = good.stream().filter(s -> s.getName().startsWith("create_orchestration:")).findFirst().orElseThrow();
        assertThat(good).filteredOn(s -> s != start).allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(start.getSpanId()));
        assertThat(spansOf(bad).stream().map(SpanData::getTraceId).distinct()).hasSize(1).doesNotContain(start.getTraceId());
        assertThat(spansOf(bad)).filteredOn(s -> s.getName().equals("orchestration:ProcessOrder"))
                .singleElement().satisfies(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR));

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

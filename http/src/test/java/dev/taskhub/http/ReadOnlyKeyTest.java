package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.ConfigurationException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The read-only key: it may call every read-only route of the table and is refused (403, with a message that says
 * why and what to use) on every other route, under each prefix, without any change to storage; the system key keeps
 * full access; {@code whoami} tells the two apart. The lists come from the route table, so a new route is covered.
 */
class ReadOnlyKeyTest {
    private static final String KEY = "system-" + UUID.randomUUID();
    private static final String READ_ONLY_KEY = "viewer-" + UUID.randomUUID();
    private static final String RUNNING = "ro-running";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StorageProvider provider;
    private TaskHubWorker worker;
    private TaskHubClient client;
    private ManagementServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String origin;

    @BeforeEach
    void start() {
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", "ReadOnly" + UUID.randomUUID().toString().substring(0, 8)));
        worker = TaskHubWorker.builder(provider)
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("go", Object.class).await())
                .build().start();
        client = new TaskHubClient(provider);
        client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(RUNNING));
        client.waitForInstanceStart(RUNNING, Duration.ofSeconds(20));
        server = ManagementServer.builder(client).registry(worker.registry()).port(0).systemKey(KEY).readOnlyKey(READ_ONLY_KEY)
                .build().start();
        origin = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        worker.close();
        provider.deleteTaskHub();
        provider.close();
    }

    @Test
    void everyMutatingRoute_refusesTheReadOnlyKey_with403_andChangesNothing() throws IOException {
        String before = snapshot();
        List<ManagementRoute> mutating = new ArrayList<>();
        for (ManagementRoute route : ManagementRoute.values()) {
            if (!route.readOnly()) {
                mutating.add(route);
            }
        }
        assertThat(mutating).as("mutating routes in the table").hasSizeGreaterThan(15);
        for (String prefix : List.of(ManagementRoute.DEFAULT_BASE_PATH, ManagementRoute.LEGACY_BASE_PATH)) {
            for (ManagementRoute route : mutating) {
                String url = prefix + concrete(route) + "?createdTimeFrom=1970-01-01T00:00:00Z&confirm=" + provider.taskHubName()
                        + "&dryRun=true";
                HttpResponse<String> r = send(route.method(), url, READ_ONLY_KEY, "{\"operation\": \"terminate\"}");
                assertThat(r.statusCode()).as("%s %s with the read-only key: %s", route.method(), url, r.body()).isEqualTo(403);
                assertThat(JSON.readTree(r.body()).get("message").asText()).contains("read-only key", route.operationId(),
                        "Use the system key");
            }
        }
        assertThat(snapshot()).as("storage after the refused requests").isEqualTo(before);
        // the same request with the system key acts
        assertThat(send("POST", ManagementRoute.DEFAULT_BASE_PATH + ManagementRoute.SUSPEND.path(RUNNING), KEY, "").statusCode()).isEqualTo(202);
    }

    @Test
    void everyReadOnlyRoute_servesTheReadOnlyKey() {
        for (ManagementRoute route : ManagementRoute.values()) {
            if (!route.readOnly()) {
                continue;
            }
            HttpResponse<String> r = send(route.method(), ManagementRoute.DEFAULT_BASE_PATH + concrete(route), READ_ONLY_KEY, null);
            assertThat(r.statusCode()).as("%s %s: %s", route.method(), route.path(), r.body()).isNotIn(401, 403, 405);
            if (route.pathParameters().isEmpty() || route == ManagementRoute.GET_STATUS) {
                assertThat(r.statusCode()).as("%s: %s", route, r.body()).isBetween(200, 299);
            }
        }
        HttpResponse<String> history = send("GET", ManagementRoute.DEFAULT_BASE_PATH + ManagementRoute.GET_STATUS.path(RUNNING)
                + "?showHistory=true", READ_ONLY_KEY, null);
        assertThat(history.body()).contains("historyEvents", "ExecutionStarted");
    }

    @Test
    void whoami_tellsTheSystemKeyFromTheReadOnlyKey() throws IOException {
        String path = ManagementRoute.DEFAULT_BASE_PATH + ManagementRoute.WHOAMI.path();
        JsonNode full = JSON.readTree(send("GET", path, KEY, null).body());
        assertThat(full.get("access").asText()).isEqualTo("full");
        assertThat(full.get("taskHub").asText()).isEqualTo(provider.taskHubName());
        assertThat(full.get("authentication").asBoolean()).isTrue();
        assertThat(JSON.readTree(send("GET", path, READ_ONLY_KEY, null).body()).get("access").asText()).isEqualTo("read-only");
        assertThat(send("GET", path, "wrong", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", path, null, null).statusCode()).isEqualTo(401);

        // without authentication: full access, and the dashboard needs no key
        try (ManagementServer open = ManagementServer.builder(client).port(0).disableAuthentication().build().start()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(open.baseUrl() + ManagementRoute.WHOAMI.path())).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode anyone = JSON.readTree(r.body());
            assertThat(anyone.get("access").asText()).isEqualTo("full");
            assertThat(anyone.get("authentication").asBoolean()).isFalse();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void builder_refusesAReadOnlyKeyThatCannotWork() {
        assertThatThrownBy(() -> ManagementServer.builder(client).systemKey(KEY).readOnlyKey(KEY).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must differ from the system key");
        assertThatThrownBy(() -> ManagementServer.builder(client).disableAuthentication().readOnlyKey("x").build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("needs authentication");
        assertThatThrownBy(() -> ManagementServer.builder(client).systemKey(KEY).readOnlyKey(" ").build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must not be empty");
    }

    /** The route's path with each parameter filled: the running instance's id, any name for the others. */
    private static String concrete(ManagementRoute route) {
        String[] values = route.pathParameters().stream().map(p -> p.equals("id") || p.equals("instanceId") ? RUNNING : "x")
                .toArray(String[]::new);
        return route.path(values);
    }

    /** Every instance with its status and history length. */
    private String snapshot() {
        StringBuilder b = new StringBuilder();
        for (OrchestrationMetadata m : client.queryInstances(InstanceQuery.builder().build()).instances()) {
            b.append(m.instanceId()).append(' ').append(m.runtimeStatus()).append(' ').append(client.getHistory(m.instanceId()).size()).append('\n');
        }
        assertThat(b.toString()).contains(RUNNING + " " + RuntimeStatus.RUNNING);
        return b + client.getRetentionPolicies().toString();
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header(ManagementServer.KEY_HEADER, key);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + pathAndQuery, e);
        }
    }
}

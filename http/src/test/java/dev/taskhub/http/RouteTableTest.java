package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route table ({@link ManagementRoute}) against what is really served and built: the router holds exactly the
 * table's routes under each prefix (no more, no fewer), the OpenAPI document describes exactly the table, and every
 * URL of the client's management payload has the shape of its route's template and reaches that route's handler.
 */
class RouteTableTest {
    private static final String KEY = "route-table-key-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();

    private StorageProvider provider;
    private TaskHubWorker worker;
    private TaskHubClient client;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<ManagementServer> servers = new ArrayList<>();

    @BeforeEach
    void start() {
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", "Routes" + UUID.randomUUID().toString().substring(0, 8)));
        worker = TaskHubWorker.builder(provider)
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("go", Object.class).await())
                .build().start();
        client = new TaskHubClient(provider);
    }

    @AfterEach
    void stop() {
        servers.forEach(ManagementServer::close);
        worker.close();
        provider.deleteTaskHub();
        provider.close();
    }

    private ManagementServer serve(ManagementServer.Builder builder) {
        ManagementServer server = builder.port(0).systemKey(KEY).build().start();
        servers.add(server);
        return server;
    }

    /** The table's routes under each prefix, plus the dashboard's static files. */
    private static TreeSet<String> expectedRoutes(String... prefixes) {
        TreeSet<String> expected = new TreeSet<>(List.of("GET /", "GET /dashboard/app.js", "GET /dashboard/app.css"));
        for (String prefix : prefixes) {
            for (ManagementRoute route : ManagementRoute.values()) {
                expected.add(route.method() + " " + prefix + route.path());
            }
        }
        return expected;
    }

    @Test
    void theRouterHoldsExactlyTheTable_underEachPrefix() {
        ManagementServer server = serve(ManagementServer.builder(client).registry(worker.registry()));
        List<String> registered = server.routes().stream().map(r -> r.method() + " " + r.path()).toList();
        assertThat(registered).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(registered)).isEqualTo(expectedRoutes(ManagementRoute.DEFAULT_BASE_PATH, ManagementRoute.LEGACY_BASE_PATH));

        ManagementServer custom = serve(ManagementServer.builder(client).basePath("/custom/api"));
        assertThat(new TreeSet<>(custom.routes().stream().map(r -> r.method() + " " + r.path()).toList()))
                .isEqualTo(expectedRoutes("/custom/api", ManagementRoute.LEGACY_BASE_PATH));
    }

    @Test
    void theOpenApiDocument_describesExactlyTheTable() throws IOException {
        ManagementServer server = serve(ManagementServer.builder(client));
        HttpResponse<String> r = send("GET", server.baseUrl() + ManagementRoute.OPENAPI_DOCUMENT.path());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(r.body());

        Map<String, String> documented = new LinkedHashMap<>();
        doc.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            JsonNode operation = op.getValue();
            List<String> pathParameters = new ArrayList<>();
            List<String> queryParameters = new ArrayList<>();
            List<String> headers = new ArrayList<>();
            operation.path("parameters").forEach(p -> (switch (p.get("in").asText()) {
                case "path" -> pathParameters;
                case "query" -> queryParameters;
                default -> headers;
            }).add(p.get("name").asText()));
            documented.put(op.getKey().toUpperCase() + " " + path.getKey(), operation.get("operationId").asText() + " path="
                    + pathParameters + " query=" + queryParameters + " headers=" + headers);
        }));

        Map<String, String> table = new LinkedHashMap<>();
        for (ManagementRoute route : ManagementRoute.values()) {
            if (route == ManagementRoute.OPENAPI_DOCUMENT) {
                continue; // the document does not describe itself
            }
            List<String> headers = route.pagedByContinuationToken() ? List.of(ManagementRoute.CONTINUATION_TOKEN_HEADER) : List.of();
            table.put(route.method() + " " + route.path(), route.operationId() + " path=" + route.pathParameters() + " query="
                    + route.queryParameters() + " headers=" + headers);
        }
        assertThat(documented).isEqualTo(table);

        JsonNode schemes = doc.get("components").get("securitySchemes");
        assertThat(schemes.findValuesAsText("name")).containsExactlyInAnyOrder(ManagementRoute.KEY_PARAMETER, ManagementRoute.KEY_HEADER);
    }

    @Test
    void managementPayloadUrls_haveTheirRoutesShape_andEachReachesItsRoute() throws IOException {
        ManagementServer server = serve(ManagementServer.builder(client).registry(worker.registry()));
        String id = "payload ü+1";
        client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(id));
        client.waitForInstanceStart(id, Duration.ofSeconds(20));
        String hub = provider.taskHubName();
        HttpManagementPayload p = client.createHttpManagementPayload(id,
                HttpManagementOptions.builder().baseUrl(server.baseUrl()).taskHub(hub).connectionName("MyConnection").systemKey(KEY).build());

        Map<String, String> common = Map.of("taskHub", hub, "connection", "MyConnection", "code", KEY);
        checkShape(server, p.statusQueryGetUri(), ManagementRoute.GET_STATUS, id, common);
        checkShape(server, p.sendEventPostUri(), ManagementRoute.RAISE_EVENT, id, common);
        checkShape(server, p.terminatePostUri(), ManagementRoute.TERMINATE, id, common);
        checkShape(server, p.rewindPostUri(), ManagementRoute.REWIND, id, common);
        checkShape(server, p.purgeHistoryDeleteUri(), ManagementRoute.PURGE_INSTANCE, id, common);
        checkShape(server, p.restartPostUri(), ManagementRoute.RESTART, id, common);
        checkShape(server, p.suspendPostUri(), ManagementRoute.SUSPEND, id, common);
        checkShape(server, p.resumePostUri(), ManagementRoute.RESUME, id, common);

        // Followed with their routes' methods, each answers from its route's handler.
        assertThat(follow(ManagementRoute.GET_STATUS, p.statusQueryGetUri()).statusCode()).isEqualTo(202);
        assertThat(follow(ManagementRoute.SUSPEND, p.suspendPostUri()).statusCode()).isEqualTo(202);
        await(id, RuntimeStatus.SUSPENDED);
        assertThat(follow(ManagementRoute.RESUME, p.resumePostUri()).statusCode()).isEqualTo(202);
        await(id, RuntimeStatus.RUNNING);
        assertThat(follow(ManagementRoute.REWIND, p.rewindPostUri()).statusCode()).as("rewind of a running instance").isEqualTo(412);
        assertThat(follow(ManagementRoute.PURGE_INSTANCE, p.purgeHistoryDeleteUri()).statusCode()).as("purge of a running one").isEqualTo(412);
        assertThat(follow(ManagementRoute.RAISE_EVENT, p.sendEventPostUri()).statusCode()).isEqualTo(202);
        assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(20)).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(follow(ManagementRoute.TERMINATE, p.terminatePostUri()).statusCode()).as("terminate of a finished one").isEqualTo(410);
        HttpResponse<String> restarted = follow(ManagementRoute.RESTART, p.restartPostUri());
        assertThat(restarted.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(restarted.body()).get("id").asText()).isNotEqualTo(id);
        HttpResponse<String> purged = follow(ManagementRoute.PURGE_INSTANCE, p.purgeHistoryDeleteUri());
        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(purged.body()).isEqualTo("{\"instancesDeleted\":1}");
    }

    /** The URL is the server's base, the route's template with the id (and placeholders), and only parameters the route takes. */
    private static void checkShape(ManagementServer server, String url, ManagementRoute route, String id, Map<String, String> common) {
        assertThat(url).startsWith(server.baseUrl() + "/");
        String rest = url.substring(server.baseUrl().length());
        String path = rest.substring(0, rest.indexOf('?'));
        String template = Pattern.quote(route.path()).replace("{id}", "\\E([^/?]+)\\Q");
        var m = Pattern.compile(template).matcher(path);
        assertThat(m.matches()).as("%s matches %s %s", path, route, route.path()).isTrue();
        assertThat(URLDecoder.decode(m.group(1).replace("+", "%2B"), StandardCharsets.UTF_8)).isEqualTo(id);

        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : rest.substring(rest.indexOf('?') + 1).split("&")) {
            String[] kv = pair.split("=", 2);
            assertThat(route.takes(kv[0])).as("%s takes %s", route, kv[0]).isTrue();
            query.put(kv[0], URLDecoder.decode(kv[1].replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        Map<String, String> expected = new LinkedHashMap<>(common);
        if (route.queryParameters().contains("reason")) {
            expected.put("reason", "{text}");
        }
        assertThat(query).isEqualTo(expected);
    }

    private HttpResponse<String> follow(ManagementRoute route, String url) {
        HttpResponse<String> r = send(route.method(), url.replace("{eventName}", "go").replace("{text}", "because"));
        assertThat(r.body()).as("%s %s", route, url).doesNotContain("No such route", "not allowed");
        assertThat(r.statusCode()).as("%s: %s", route, r.body()).isNotIn(401, 404, 405);
        return r;
    }

    private HttpResponse<String> send(String method, String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(method + " " + url, e);
        }
    }

    private void await(String id, RuntimeStatus status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() != status) {
            assertThat(System.nanoTime()).as("%s reaches %s in time", id, status).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}

package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real PostgreSQL backend that fails under a running server: its task hub's schema dropped, then its whole database
 * dropped. The answers are 503 with an incident id and advice, and name nothing of the storage (URL, host, database,
 * user, SQLState, driver); the server log has the details under the same incident id. Skipped (with the reason) when
 * no PostgreSQL server answers on 127.0.0.1:5432; fails instead when TASKHUB_REQUIRE_ALL_PROVIDERS=true.
 */
class HttpStorageFailureTest {
    private static final String KEY = "storage-test-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String database = "taskhub_leak_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String hub = "LeakHub" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private StorageProvider provider;
    private ManagementServer server;
    private boolean databaseCreated;

    @BeforeEach
    void start() throws SQLException {
        boolean required = "true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"));
        boolean reachable = reachable();
        if (!reachable) {
            System.err.println("*** HttpStorageFailureTest SKIPPED: no PostgreSQL server answers on 127.0.0.1:5432 ***");
            assertThat(required).as("TASKHUB_REQUIRE_ALL_PROVIDERS=true but no PostgreSQL server answers on 127.0.0.1:5432").isFalse();
        }
        assumeTrue(reachable, "no PostgreSQL server answers on 127.0.0.1:5432");
        admin("CREATE DATABASE " + database);
        databaseCreated = true;
        provider = StorageProviders.open(null, new ProviderConfig("jdbc:postgresql://127.0.0.1:5432/" + database + "?user=postgres",
                hub, Map.of("taskhub.postgres.connectTimeout", "PT1S", "taskhub.postgres.poolSize", "2")));
        provider.createTaskHub();
        server = ManagementServer.builder(new TaskHubClient(provider)).port(0).systemKey(KEY).build().start();
    }

    @AfterEach
    void stop() throws SQLException {
        if (server != null) {
            server.close();
        }
        if (provider != null) {
            provider.close();
        }
        if (databaseCreated) {
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void droppedTablesThenDroppedDatabase_are503WithAnIncidentId_andLeakNothing() throws Exception {
        assertThat(send("POST", "/orchestrators/Anything/ok-1").statusCode()).as("works before the failure").isEqualTo(202);

        // 1. the task hub's tables disappear (someone dropped the schema of this private database)
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + database + "?user=postgres");
             Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA taskhub CASCADE");
        }
        assertStorageFailure(List.of("GET /instances", "GET /instances/ok-1", "POST /orchestrators/Anything/ok-2"));

        // 2. the whole database disappears
        admin("DROP DATABASE " + database + " WITH (FORCE)");
        databaseCreated = false;
        assertStorageFailure(List.of("GET /instances", "GET /instances/ok-1?showHistory=true", "POST /instances/ok-1/terminate",
                "DELETE /instances?createdTimeFrom=2000-01-01"));
    }

    private void assertStorageFailure(List<String> requests) throws Exception {
        for (String request : requests) {
            String method = request.substring(0, request.indexOf(' '));
            String path = request.substring(request.indexOf(' ') + 1);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            HttpResponse<String> r;
            PrintStream original = System.err;
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            try {
                r = send(method, path);
            } finally {
                System.setErr(original);
            }
            String serverLog = log.toString(StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(request + " -> " + r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).as(request + " -> " + r.body()).isPresent();
            JsonNode body = JSON.readTree(r.body());
            String incident = body.path("incidentId").asText();
            assertThat(incident).as(request + " incident id in " + r.body()).isNotBlank();
            assertThat(body.path("message").asText()).as(request).contains(incident, "storage", "Retry");
            for (String secret : List.of("jdbc", "127.0.0.1", "5432", database, "postgres", "SQLState", "PSQLException",
                    "org.postgresql", "Hikari", "relation", "does not exist", "FATAL", "schema")) {
                assertThat(r.body().toLowerCase()).as(request + " body must not name '" + secret + "': " + r.body())
                        .doesNotContain(secret.toLowerCase());
            }
            assertThat(serverLog).as("the server log carries the incident id and the details").contains(incident, database);
        }
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(60))
                .header(ManagementServer.KEY_HEADER, KEY)
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("1") : HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static boolean reachable() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5432), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

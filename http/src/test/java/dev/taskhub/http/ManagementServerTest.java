package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.samples.SamplesModule;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class ManagementServerTest {
    static final String KEY = "test-key-" + UUID.randomUUID();
    static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();
    private static final ObjectMapper JSON = new ObjectMapper();

    private StorageProvider provider;
    private TaskHubWorker worker;
    private TaskHubClient client;
    private ManagementServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void start() {
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", "Http" + UUID.randomUUID().toString().substring(0, 8)));
        worker = TaskHubWorker.builder(provider)
                .addModule(new SamplesModule())
                .addOrchestrator("FailOnce", ctx -> ctx.callActivity("Flaky", "x", String.class).await())
                .addActivity("Flaky", ctx -> {
                    if (FAIL_NEXT.getAndSet(false)) {
                        throw new IllegalStateException("first delivery fails");
                    }
                    return "recovered";
                })
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("go", Object.class).await())
                .options(WorkerOptions.builder().retentionInterval(Duration.ZERO).build())   // passes only when a test applies them
                .build().start();
        client = new TaskHubClient(provider);
        server = ManagementServer.builder(client).registry(worker.registry()).port(0).systemKey(KEY)
                .maxRequestBodyBytes(64 * 1024).build().start();
        base = server.baseUrl();
    }

    @AfterEach
    void stop() {
        server.close();
        worker.close();
        provider.deleteTaskHub();
        provider.close();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private HttpResponse<String> send(String method, String pathAndQuery, String body) {
        return send(method, pathAndQuery, body, KEY);
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("x-functions-key", key);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
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

    private String startWaiting(String id) {
        HttpResponse<String> r = send("POST", "/orchestrators/WaitForGo/" + id, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        client.waitForInstanceStart(id, Duration.ofSeconds(10));
        return id;
    }

    private RuntimeStatus awaitStatus(String id, RuntimeStatus expected) {
        return awaitStatus(client, id, expected, Duration.ofSeconds(10));
    }

    /** Waits until the instance has the expected status or the timeout passes; returns the last status seen. */
    static RuntimeStatus awaitStatus(TaskHubClient client, String id, RuntimeStatus expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeStatus s = null;
        while (System.nanoTime() < deadline) {
            s = client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus();
            if (s == expected) {
                return s;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return s;
    }

    // ---- start and status ------------------------------------------------------------------------------------------

    @Test
    void start_withATraceparentHeader_carriesTheCallersTraceWithTheOrchestration() {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/orchestrators/E1_HelloSequence/traced-1"))
                .header("x-functions-key", KEY).header("traceparent", traceparent).header("tracestate", "congo=t61rcWkgMzE")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        client.waitForInstanceCompletion("traced-1", Duration.ofSeconds(10));
        List<dev.taskhub.history.HistoryEvent> history = client.getHistory("traced-1");
        dev.taskhub.history.HistoryEvent.ExecutionStarted started = history.stream()
                .filter(dev.taskhub.history.HistoryEvent.ExecutionStarted.class::isInstance)
                .map(dev.taskhub.history.HistoryEvent.ExecutionStarted.class::cast).findFirst().orElseThrow();
        assertThat(started.traceContext()).isEqualTo(new dev.taskhub.history.TraceContext(traceparent, "congo=t61rcWkgMzE"));
        // the activities it called belong to the same trace
        assertThat(history.stream().filter(dev.taskhub.history.HistoryEvent.TaskScheduled.class::isInstance)
                .map(e -> ((dev.taskhub.history.HistoryEvent.TaskScheduled) e).traceContext()))
                .hasSize(3).allSatisfy(t -> assertThat(t.traceParent()).isEqualTo(traceparent));

        // a malformed header is ignored (W3C): the start goes ahead untraced
        HttpResponse<String> bad;
        try {
            bad = http.send(HttpRequest.newBuilder(URI.create(base + "/orchestrators/E1_HelloSequence/traced-2"))
                    .header("x-functions-key", KEY).header("traceparent", "not-a-trace").POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(bad.statusCode()).isEqualTo(202);
        client.waitForInstanceCompletion("traced-2", Duration.ofSeconds(10));
        assertThat(client.getHistory("traced-2").stream().filter(dev.taskhub.history.HistoryEvent.ExecutionStarted.class::isInstance)
                .map(e -> ((dev.taskhub.history.HistoryEvent.ExecutionStarted) e).traceContext())).containsOnlyNulls();
    }

    @Test
    void start_returns202WithManagementPayload_andStatusBecomes200WithOutput() {
        HttpResponse<String> r = send("POST", "/orchestrators/E1_HelloSequence", null);
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode payload = json(r);
        String id = payload.get("id").asText();
        assertThat(r.headers().firstValue("Location")).contains(payload.get("statusQueryGetUri").asText());
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        for (String field : List.of("statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "rewindPostUri",
                "purgeHistoryDeleteUri", "restartPostUri", "suspendPostUri", "resumePostUri")) {
            assertThat(payload.get(field).asText()).as(field)
                    .startsWith(base + "/instances/" + id)
                    .contains("taskHub=" + provider.taskHubName(), "connection=AzureWebJobsStorage",
                            "code=" + URLEncoder.encode(KEY, StandardCharsets.UTF_8));
        }
        assertThat(payload.get("sendEventPostUri").asText()).contains("/raiseEvent/{eventName}");

        client.waitForInstanceCompletion(id, Duration.ofSeconds(10));
        // the statusQueryGetUri works as given (key in the query string, no header)
        HttpResponse<String> status = http(payload.get("statusQueryGetUri").asText());
        assertThat(status.statusCode()).isEqualTo(200);
        JsonNode s = json(status);
        assertThat(s.get("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(s.get("name").asText()).isEqualTo("E1_HelloSequence");
        assertThat(s.get("output").toString()).isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
        assertThat(Instant.parse(s.get("createdTime").asText())).isBeforeOrEqualTo(Instant.parse(s.get("lastUpdatedTime").asText()));
    }

    private HttpResponse<String> http(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void start_withInputAndId_passesJsonInputUnchanged_andShowsHistoryOnRequest() {
        HttpResponse<String> r = send("POST", "/orchestrators/E2_FanOutFanIn/fan-1?timeout=10", "5");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("30");

        JsonNode s = json(send("GET", "/instances/fan-1?showHistory=true&showHistoryOutput=true", null));
        assertThat(s.get("input").asInt()).isEqualTo(5);
        JsonNode events = s.get("historyEvents");
        assertThat(events.get(0).get("EventType").asText()).isEqualTo("ExecutionStarted");
        assertThat(events.get(0).get("FunctionName").asText()).isEqualTo("E2_FanOutFanIn");
        assertThat(events.get(0).has("Timestamp")).isTrue();
        JsonNode completed = events.get(events.size() - 1);
        assertThat(completed.get("EventType").asText()).isEqualTo("ExecutionCompleted");
        assertThat(completed.get("Result").asInt()).isEqualTo(30);
        JsonNode task = events.get(1);
        assertThat(task.get("EventType").asText()).isEqualTo("TaskCompleted");
        assertThat(task.get("FunctionName").asText()).isEqualTo("E2_GetWorkItems");
        assertThat(task.has("ScheduledTime")).isTrue();
        assertThat(task.get("Result").toString()).isEqualTo("[1,2,3,4,5]");

        JsonNode noOutput = json(send("GET", "/instances/fan-1?showHistory=true&showInput=false", null));
        assertThat(noOutput.get("input").isNull()).isTrue();
        assertThat(noOutput.get("historyEvents").get(1).has("Result")).isFalse();
        assertThat(json(send("GET", "/instances/fan-1", null)).has("historyEvents")).isFalse();
    }

    @Test
    void startAndWait_returns202WhenNotDoneInTime() {
        HttpResponse<String> r = send("POST", "/orchestrators/WaitForGo/slow-1?timeout=0.3&pollingInterval=0.1", null);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("id").asText()).isEqualTo("slow-1");
        assertThat(r.headers().firstValue("Location")).isPresent();
    }

    @Test
    void status_isAcceptedWhileRunning_andNotFoundForUnknown() {
        startWaiting("running-1");
        HttpResponse<String> r = send("GET", "/instances/running-1", null);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("runtimeStatus").asText()).isEqualTo("Running");
        assertThat(r.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).contains("/instances/running-1"));
        assertThat(r.headers().firstValue("Retry-After")).isPresent();

        HttpResponse<String> missing = send("GET", "/instances/no-such-id", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("message").asText()).contains("no-such-id");
    }

    @Test
    void start_refusesUnknownOrchestratorBadJsonAndDuplicateId() {
        HttpResponse<String> unknown = send("POST", "/orchestrators/NoSuchOrchestrator", null);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("message").asText()).contains("NoSuchOrchestrator", "E1_HelloSequence");

        HttpResponse<String> badJson = send("POST", "/orchestrators/E1_HelloSequence", "{not json");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(json(badJson).get("message").asText()).contains("not valid JSON");

        startWaiting("dup-1");
        HttpResponse<String> dup = send("POST", "/orchestrators/WaitForGo/dup-1", null);
        assertThat(dup.statusCode()).isEqualTo(409);
        assertThat(json(dup).get("message").asText()).contains("dup-1");
    }

    @Test
    void instanceIdsWithSpacesAndUnicode_roundTripThroughManagementUrls() {
        String id = "order 42 \u00e4";
        String encoded = URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<String> r = send("POST", "/orchestrators/E1_HelloSequence/" + encoded, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).get("id").asText()).isEqualTo(id);
        client.waitForInstanceCompletion(id, Duration.ofSeconds(10));
        HttpResponse<String> status = http(json(r).get("statusQueryGetUri").asText());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(json(status).get("instanceId").asText()).isEqualTo(id);
    }

    // ---- list --------------------------------------------------------------------------------------------------

    @Test
    void list_pagesWithContinuationToken_andFilters() {
        for (int i = 0; i < 5; i++) {
            send("POST", "/orchestrators/E1_HelloSequence/page-" + i + "?timeout=10", null);
        }
        startWaiting("other-running");
        Set<String> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/instances?top=2&instanceIdPrefix=page-"))
                    .header("x-functions-key", KEY);
            if (token != null) {
                b.header("x-ms-continuation-token", token);
            }
            HttpResponse<String> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode page = json(r);
            assertThat(page.size()).isLessThanOrEqualTo(2);
            page.forEach(n -> assertThat(seen.add(n.get("instanceId").asText())).isTrue());
            token = r.headers().firstValue("x-ms-continuation-token").orElse(null);
            pages++;
        } while (token != null && pages < 10);
        assertThat(seen).containsExactlyInAnyOrder("page-0", "page-1", "page-2", "page-3", "page-4");
        assertThat(pages).isGreaterThanOrEqualTo(3);

        JsonNode running = json(send("GET", "/instances?runtimeStatus=Running,Pending", null));
        assertThat(running).extracting(n -> n.get("instanceId").asText()).containsExactly("other-running");
        JsonNode future = json(send("GET", "/instances?createdTimeFrom=2999-01-01T00:00:00Z", null));
        assertThat(future.size()).isZero();
        JsonNode withInput = json(send("GET", "/instances?instanceIdPrefix=page-0&showInput=true", null));
        assertThat(withInput.get(0).get("output").isArray()).isTrue();
    }

    @Test
    void counts_perStatusAndName_withTheListsFilters() {
        for (int i = 0; i < 3; i++) {
            send("POST", "/orchestrators/E1_HelloSequence/count-" + i + "?timeout=10", null);
        }
        startWaiting("count-waiting");

        JsonNode all = json(send("GET", "/taskhub/counts?instanceIdPrefix=count-", null));
        assertThat(all.get("total").asLong()).isEqualTo(4);
        assertThat(all.get("byStatus").get("Completed").asLong()).isEqualTo(3);
        assertThat(all.get("byStatus").get("Running").asLong() + all.path("byStatus").path("Pending").asLong(0)).isEqualTo(1);
        assertThat(all.get("byName").get("E1_HelloSequence").get("Completed").asLong()).isEqualTo(3);

        JsonNode completed = json(send("GET", "/taskhub/counts?instanceIdPrefix=count-&runtimeStatus=Completed", null));
        assertThat(completed.get("total").asLong()).isEqualTo(3);
        assertThat(completed.get("byStatus").fieldNames()).toIterable().containsExactly("Completed");
        assertThat(json(send("GET", "/taskhub/counts?createdTimeFrom=2999-01-01T00:00:00Z", null)).get("total").asLong()).isZero();

        HttpResponse<String> badDate = send("GET", "/taskhub/counts?createdTimeFrom=yesterday", null);
        assertThat(badDate.statusCode()).isEqualTo(400);
        assertThat(json(badDate).get("message").asText()).contains("createdTimeFrom");
        assertThat(send("GET", "/taskhub/counts?runtimeStatus=Sleeping", null).statusCode()).isEqualTo(400);
    }

    @Test
    void retention_setListApplyRemove() {
        assertThat(json(send("GET", "/taskhub/retention", null)).get("policies")).isEmpty();
        HttpResponse<String> set = send("PUT", "/taskhub/retention", "{\"runtimeStatus\": \"Completed\", \"olderThan\": \"7d\"}");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(set.body()).isEqualTo("{\"runtimeStatus\":\"Completed\",\"olderThan\":\"P7D\"}");
        assertThat(send("PUT", "/taskhub/retention", "{\"runtimeStatus\": \"Failed\", \"name\": \"E1_HelloSequence\", "
                + "\"olderThan\": \"PT36H\"}").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/taskhub/retention", null).body()).isEqualTo("{\"policies\":["
                + "{\"runtimeStatus\":\"Completed\",\"olderThan\":\"P7D\"},"
                + "{\"runtimeStatus\":\"Failed\",\"name\":\"E1_HelloSequence\",\"olderThan\":\"PT36H\"}]}");

        send("POST", "/orchestrators/E1_HelloSequence/ret-1?timeout=10", null);
        JsonNode none = json(send("POST", "/taskhub/retention/apply", null));
        assertThat(none.get("instancesDeleted").asLong()).isZero();
        assertThat(none.get("policies")).hasSize(2);
        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.COMPLETED, Duration.ofMillis(1)));
        Instant finished = client.getInstanceMetadata("ret-1", false).orElseThrow().lastUpdatedAt();
        while (!finished.isBefore(Instant.now().minusMillis(1))) {
            Thread.onSpinWait();   // older than the policy's millisecond
        }
        JsonNode applied = json(send("POST", "/taskhub/retention/apply?limitPerPolicy=5", null));
        assertThat(applied.get("instancesDeleted").asLong()).isEqualTo(1);
        assertThat(applied.get("policies").get(0).get("instancesDeleted").asLong()).isEqualTo(1);
        assertThat(applied.get("policies").get(0).get("more").asBoolean()).isFalse();
        assertThat(send("GET", "/instances/ret-1", null).statusCode()).isEqualTo(404);

        HttpResponse<String> removed = send("DELETE", "/taskhub/retention?runtimeStatus=Failed&name=E1_HelloSequence", null);
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(json(removed).get("policies")).hasSize(1);
        HttpResponse<String> again = send("DELETE", "/taskhub/retention?runtimeStatus=Failed&name=E1_HelloSequence", null);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(json(again).get("message").asText()).contains("no retention policy for Failed of 'E1_HelloSequence'");
    }

    @Test
    void retention_refusesMalformedPoliciesAndParameters_withTheReason() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("", "must be a retention policy as JSON");
        bad.put("{not json", "must be a retention policy as JSON");
        bad.put("[1, 2]", "is not a JSON object");
        bad.put("{\"olderThan\": \"7d\"}", "needs 'runtimeStatus'");
        bad.put("{\"runtimeStatus\": \"Sleeping\", \"olderThan\": \"7d\"}", "Unknown runtime status 'Sleeping'");
        bad.put("{\"runtimeStatus\": \"Running\", \"olderThan\": \"7d\"}", "only finished instances are purged");
        bad.put("{\"runtimeStatus\": \"Completed\"}", "'olderThan' is required");
        bad.put("{\"runtimeStatus\": \"Completed\", \"olderThan\": \"-P7D\"}", "must be a positive age");
        bad.put("{\"runtimeStatus\": \"Completed\", \"olderThan\": \"0s\"}", "must be a positive age");
        bad.put("{\"runtimeStatus\": \"Completed\", \"olderThan\": \"a week\"}", "is not an age");
        bad.put("{\"runtimeStatus\": \"Completed\", \"olderThan\": 7}", "must be a string");
        bad.put("{\"runtimeStatus\": \"Completed\", \"olderThan\": \"7d\", \"name\": \"\"}", "must not be blank");
        bad.put("{\"runtimeStatus\": \"Completed\", \"olderThan\": \"7d\", \"olderthan\": \"8d\"}", "has no field 'olderthan'");
        bad.forEach((body, message) -> {
            HttpResponse<String> r = send("PUT", "/taskhub/retention", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(json(r).get("message").asText()).as(body).contains(message);
        });
        assertThat(client.getRetentionPolicies()).isEmpty();

        assertThat(json(send("DELETE", "/taskhub/retention", null)).get("message").asText()).contains("'runtimeStatus' is required");
        assertThat(send("DELETE", "/taskhub/retention?runtimeStatus=Pending", null).statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/taskhub/retention?runtimeStatus=Completed&name=", null).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/taskhub/retention/apply?limitPerPolicy=0", null).statusCode()).isEqualTo(400);
        for (String[] route : new String[][] {{"GET", "/taskhub/retention"}, {"PUT", "/taskhub/retention"},
                {"DELETE", "/taskhub/retention?runtimeStatus=Completed"}, {"POST", "/taskhub/retention/apply"}}) {
            assertThat(send(route[0], route[1], "{\"runtimeStatus\": \"Completed\", \"olderThan\": \"7d\"}", null).statusCode())
                    .as("%s %s without the key", route[0], route[1]).isEqualTo(401);
        }
        assertThat(client.getRetentionPolicies()).isEmpty();
    }

    @Test
    void list_refusesBadDatesStatusesTopAndTamperedTokens() {
        assertThat(send("GET", "/instances?createdTimeFrom=yesterday", null).statusCode()).isEqualTo(400);
        HttpResponse<String> badStatus = send("GET", "/instances?runtimeStatus=Sleeping", null);
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(json(badStatus).get("message").asText()).contains("Sleeping");
        assertThat(send("GET", "/instances?top=0", null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/instances?top=-3", null).statusCode()).isEqualTo(400);
        HttpResponse<String> swapped = send("GET", "/instances?createdTimeFrom=2026-02-01&createdTimeTo=2026-01-01", null);
        assertThat(swapped.statusCode()).isEqualTo(400);

        HttpRequest tampered = HttpRequest.newBuilder(URI.create(base + "/instances"))
                .header("x-functions-key", KEY).header("x-ms-continuation-token", "bm9wZQ.deadbeef").build();
        try {
            HttpResponse<String> r = http.send(tampered, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(json(r).get("message").asText()).contains("continuation token");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ---- instance operations ---------------------------------------------------------------------------------------

    @Test
    void raiseEvent_deliversJsonData_andRefusesFinishedUnknownAndBadJson() {
        startWaiting("ev-1");
        assertThat(send("POST", "/instances/ev-1/raiseEvent/go", "{not json").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/instances/ev-1/raiseEvent/go", "{\"answer\":42}").statusCode()).isEqualTo(202);
        assertThat(awaitStatus("ev-1", RuntimeStatus.COMPLETED)).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(json(send("GET", "/instances/ev-1", null)).get("output").get("answer").asInt()).isEqualTo(42);

        assertThat(send("POST", "/instances/ev-1/raiseEvent/go", "1").statusCode()).isEqualTo(410);
        assertThat(send("POST", "/instances/nope/raiseEvent/go", "1").statusCode()).isEqualTo(404);
    }

    @Test
    void terminate_thenRefusesSecondTerminate() {
        startWaiting("term-1");
        assertThat(send("POST", "/instances/term-1/terminate?reason=enough", null).statusCode()).isEqualTo(202);
        assertThat(awaitStatus("term-1", RuntimeStatus.TERMINATED)).isEqualTo(RuntimeStatus.TERMINATED);
        JsonNode s = json(send("GET", "/instances/term-1", null));
        assertThat(s.get("runtimeStatus").asText()).isEqualTo("Terminated");
        assertThat(s.get("output").asText()).isEqualTo("enough");
        assertThat(send("POST", "/instances/term-1/terminate", null).statusCode()).isEqualTo(410);
        assertThat(send("POST", "/instances/nope/terminate", null).statusCode()).isEqualTo(404);
    }

    @Test
    void suspendAndResume() {
        startWaiting("sus-1");
        assertThat(send("POST", "/instances/sus-1/suspend?reason=pause", null).statusCode()).isEqualTo(202);
        assertThat(awaitStatus("sus-1", RuntimeStatus.SUSPENDED)).isEqualTo(RuntimeStatus.SUSPENDED);
        HttpResponse<String> status = send("GET", "/instances/sus-1", null);
        assertThat(status.statusCode()).isEqualTo(202);
        assertThat(json(status).get("runtimeStatus").asText()).isEqualTo("Suspended");
        send("POST", "/instances/sus-1/raiseEvent/go", "\"kept\"");
        assertThat(send("POST", "/instances/sus-1/resume?reason=go%20on", null).statusCode()).isEqualTo(202);
        assertThat(awaitStatus("sus-1", RuntimeStatus.COMPLETED)).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(json(send("GET", "/instances/sus-1", null)).get("output").asText()).isEqualTo("kept");
        assertThat(send("POST", "/instances/sus-1/suspend", null).statusCode()).isEqualTo(410);
        assertThat(send("POST", "/instances/nope/resume", null).statusCode()).isEqualTo(404);
    }

    @Test
    void rewind_rerunsTheFailedActivity_andRefusesInstancesThatDidNotFail() {
        FAIL_NEXT.set(true);
        HttpResponse<String> started = send("POST", "/orchestrators/FailOnce/rw-1", null);
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(awaitStatus("rw-1", RuntimeStatus.FAILED)).isEqualTo(RuntimeStatus.FAILED);
        JsonNode failed = json(send("GET", "/instances/rw-1", null));
        assertThat(failed.get("output").asText()).contains("first delivery fails");
        assertThat(failed.get("failureDetails").get("errorType").asText()).isNotBlank();
        assertThat(failed.get("failureDetails").has("stackTrace")).isFalse();
        assertThat(send("GET", "/instances/rw-1?returnInternalServerErrorOnFailure=true", null).statusCode()).isEqualTo(500);

        assertThat(send("POST", "/instances/rw-1/rewind?reason=fixed", null).statusCode()).isEqualTo(202);
        assertThat(awaitStatus("rw-1", RuntimeStatus.COMPLETED)).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(json(send("GET", "/instances/rw-1", null)).get("output").asText()).isEqualTo("recovered");
        assertThat(send("POST", "/instances/rw-1/rewind", null).statusCode()).isEqualTo(412);
        assertThat(send("POST", "/instances/nope/rewind", null).statusCode()).isEqualTo(404);
    }

    @Test
    void restart_withSameOrNewId() {
        send("POST", "/orchestrators/E2_FanOutFanIn/rs-1?timeout=10", "3");
        HttpResponse<String> same = send("POST", "/instances/rs-1/restart?restartWithNewInstanceId=false", null);
        assertThat(same.statusCode()).as(same.body()).isEqualTo(202);
        assertThat(json(same).get("id").asText()).isEqualTo("rs-1");
        assertThat(awaitStatus("rs-1", RuntimeStatus.COMPLETED)).isEqualTo(RuntimeStatus.COMPLETED);

        HttpResponse<String> fresh = send("POST", "/instances/rs-1/restart", null);
        assertThat(fresh.statusCode()).isEqualTo(202);
        String newId = json(fresh).get("id").asText();
        assertThat(newId).isNotEqualTo("rs-1");
        assertThat(awaitStatus(newId, RuntimeStatus.COMPLETED)).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(client.getInstanceMetadata(newId, true).orElseThrow().serializedOutput()).isEqualTo("12");

        startWaiting("rs-running");
        assertThat(send("POST", "/instances/rs-running/restart?restartWithNewInstanceId=false", null).statusCode()).isEqualTo(409);
        assertThat(send("POST", "/instances/nope/restart", null).statusCode()).isEqualTo(404);
    }

    // ---- purge and task hub ------------------------------------------------------------------------------------

    @Test
    void bulkJobs_dryRunStartShowListPauseResumeCancel_andClearErrors() {
        for (int i = 0; i < 4; i++) {
            startWaiting("bulk-" + i);
        }
        String request = "{\"operation\": \"raise-event\", \"instanceIdPrefix\": \"bulk-\", \"name\": \"WaitForGo\", "
                + "\"eventName\": \"go\", \"eventData\": {\"from\": \"job\"}, \"pageSize\": 3, \"jobId\": \"go-all\"}";
        HttpResponse<String> dry = send("POST", "/taskhub/jobs?dryRun=true", request);
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        assertThat(json(dry).get("matched").asLong()).isEqualTo(4);
        assertThat(client.getInstanceMetadata("bulk-0", false).orElseThrow().runtimeStatus()).as("a dry run changes nothing")
                .isEqualTo(RuntimeStatus.RUNNING);

        HttpResponse<String> started = send("POST", "/taskhub/jobs", request);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(started.headers().firstValue("Location").orElseThrow()).endsWith("/taskhub/jobs/go-all").doesNotContain(KEY);
        assertThat(json(started).get("request").get("operation").asText()).isEqualTo("raise-event");
        for (int i = 0; i < 4; i++) {
            assertThat(awaitStatus("bulk-" + i, RuntimeStatus.COMPLETED)).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(client.getInstanceMetadata("bulk-" + i, true).orElseThrow().serializedOutput()).isEqualTo("{\"from\":\"job\"}");
        }
        JsonNode job = null;
        for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); System.nanoTime() < deadline; ) {
            job = json(send("GET", "/taskhub/jobs/go-all", null));
            if (job.get("state").asText().equals("Completed")) {
                break;
            }
        }
        assertThat(job.get("state").asText()).isEqualTo("Completed");
        assertThat(job.get("progress").get("done").asLong()).isEqualTo(4);
        assertThat(json(send("GET", "/taskhub/jobs", null)).findValuesAsText("jobId")).contains("go-all");
        assertThat(send("POST", "/taskhub/jobs/go-all/cancel", null).statusCode()).as("a finished job").isEqualTo(410);
        assertThat(send("POST", "/taskhub/jobs/go-all/pause", null).statusCode()).isEqualTo(410);

        HttpResponse<String> unknown = send("GET", "/taskhub/jobs/nope", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("message").asText()).contains("nope");
        assertThat(send("POST", "/taskhub/jobs/nope/cancel", null).statusCode()).isEqualTo(404);
        HttpResponse<String> notJson = send("POST", "/taskhub/jobs", "{operation: terminate");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(json(notJson).get("message").asText()).contains("bulk job request as JSON");
        HttpResponse<String> badOperation = send("POST", "/taskhub/jobs", "{\"operation\": \"explode\"}");
        assertThat(badOperation.statusCode()).isEqualTo(400);
        assertThat(json(badOperation).get("message").asText()).contains("Unknown bulk operation 'explode'");
        HttpResponse<String> badStatus = send("POST", "/taskhub/jobs", "{\"operation\": \"purge\", \"runtimeStatus\": [\"Done\"]}");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(json(badStatus).get("message").asText()).contains("Unknown runtime status 'Done'");
        HttpResponse<String> badDate = send("POST", "/taskhub/jobs", "{\"operation\": \"purge\", \"createdTimeFrom\": \"yesterday\"}");
        assertThat(badDate.statusCode()).isEqualTo(400);
        assertThat(send("POST", "/taskhub/jobs", "{\"operation\": \"purge\"}", null).statusCode()).as("no key").isEqualTo(401);
    }

    @Test
    void health_isUp_degradedByStuckPendingInstances_withDetailsOnlyForTheKey() {
        HttpResponse<String> up = send("GET", "/health", null);
        assertThat(up.statusCode()).isEqualTo(200);
        JsonNode details = json(up);
        assertThat(details.get("status").asText()).isEqualTo("Up");
        assertThat(details.get("taskHub").asText()).isEqualTo(provider.taskHubName());
        assertThat(details.get("stuckPending").asLong()).isZero();
        assertThat(details.get("storageLatencyMs").asDouble()).isGreaterThanOrEqualTo(0);

        // with no worker running, a started instance stays Pending: stuck once it is older than the threshold
        worker.close();
        String stuck = client.scheduleNewOrchestrationInstance("E1_HelloSequence");
        client.scheduleNewOrchestrationInstance("WaitForGo", null,
                dev.taskhub.client.NewOrchestrationOptions.defaults().withStartAt(Instant.now().plusSeconds(3600)));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode degraded;
        do {
            degraded = json(send("GET", "/health?pendingThreshold=1ms", null));
        } while (!degraded.get("status").asText().equals("Degraded") && System.nanoTime() < deadline);
        assertThat(degraded.get("status").asText()).as("%s pending", stuck).isEqualTo("Degraded");
        assertThat(degraded.get("stuckPending").asLong()).as("the scheduled start is not stuck").isEqualTo(1);
        assertThat(degraded.get("problem").asText()).contains("pending for longer than PT0.001S", "workers");

        HttpResponse<String> anonymous = send("GET", "/health?pendingThreshold=1ms", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(200);
        assertThat(anonymous.body()).isEqualTo("{\"status\":\"Degraded\"}");
        HttpResponse<String> bad = send("GET", "/health?pendingThreshold=soon", null);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).get("message").asText()).contains("pendingThreshold");
    }

    @Test
    void purgeOne_andMany() {
        send("POST", "/orchestrators/E1_HelloSequence/pg-1?timeout=10", null);
        send("POST", "/orchestrators/E1_HelloSequence/pg-2?timeout=10", null);
        send("POST", "/orchestrators/E1_HelloSequence/pg-3?timeout=10", null);
        startWaiting("pg-running");

        assertThat(send("DELETE", "/instances/pg-running", null).statusCode()).isEqualTo(412);
        HttpResponse<String> one = send("DELETE", "/instances/pg-1", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(json(one).get("instancesDeleted").asLong()).isEqualTo(1);
        assertThat(send("GET", "/instances/pg-1", null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/instances/pg-1", null).statusCode()).isEqualTo(404);

        assertThat(send("DELETE", "/instances", null).statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/instances?createdTimeFrom=notadate", null).statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/instances?createdTimeFrom=2000-01-01&runtimeStatus=Running", null).statusCode()).isEqualTo(400);
        HttpResponse<String> many = send("DELETE", "/instances?createdTimeFrom=2000-01-01T00:00:00Z&runtimeStatus=Completed", null);
        assertThat(many.statusCode()).isEqualTo(200);
        assertThat(json(many).get("instancesDeleted").asLong()).isEqualTo(2);
        assertThat(send("DELETE", "/instances?createdTimeFrom=2000-01-01T00:00:00Z", null).statusCode()).isEqualTo(404);
        assertThat(client.getInstanceMetadata("pg-running", false)).isPresent();
    }

    @Test
    void deleteTaskHub_needsConfirmation() {
        send("POST", "/orchestrators/E1_HelloSequence/hub-1?timeout=10", null);
        assertThat(send("DELETE", "/taskhub", null).statusCode()).isEqualTo(400);
        assertThat(send("DELETE", "/taskhub?confirm=" + provider.taskHubName(), null).statusCode()).isEqualTo(200);
        assertThat(client.getInstanceMetadata("hub-1", false)).isEmpty();
    }

    // ---- security and limits -----------------------------------------------------------------------------------

    @Test
    void missingOrWrongKey_is401RevealingNothing() {
        HttpResponse<String> missing = send("GET", "/instances", null, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(json(missing).get("message").asText()).isEqualTo("Unauthorized.");
        HttpResponse<String> wrong = send("POST", "/orchestrators/E1_HelloSequence", null, "wrong");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain(KEY);
        assertThat(send("GET", "/instances/x?code=wrong", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/instances?code=" + KEY, null, null).statusCode()).isEqualTo(200);
        assertThat(client.queryInstances(dev.taskhub.query.InstanceQuery.builder().build()).instances()).isEmpty();
    }

    @Test
    void oversizedBody_theClientStillSendingGetsThe413NotAResetConnection() {
        // Much larger than the socket buffers: the server answers while the client is still sending.
        String huge = "\"" + "x".repeat(8 * 1024 * 1024) + "\"";
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = send("POST", "/orchestrators/E1_HelloSequence", huge);
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(json(r).get("message").asText()).contains("larger than the limit");
            assertThat(send("POST", "/instances/whatever/raiseEvent/go", huge, null).statusCode()).isEqualTo(401);
        }
        assertThat(client.queryInstances(dev.taskhub.query.InstanceQuery.builder().build()).instances()).isEmpty();
    }

    @Test
    void oversizedBody_is413WithJsonMessage() {
        String big = "\"" + "x".repeat(70 * 1024) + "\"";
        HttpResponse<String> r = send("POST", "/orchestrators/E1_HelloSequence", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("message").asText()).contains("larger than the limit");
        assertThat(send("POST", "/instances/whatever/raiseEvent/go", big).statusCode()).isEqualTo(413);

        // without Content-Length (chunked), the limit is enforced while reading
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + "/orchestrators/E1_HelloSequence"))
                .header("x-functions-key", KEY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))))
                .build();
        try {
            HttpResponse<String> c = http.send(chunked, HttpResponse.BodyHandlers.ofString());
            assertThat(c.statusCode()).isEqualTo(413);
            assertThat(json(c).get("message").asText()).contains("larger than the limit");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(client.queryInstances(dev.taskhub.query.InstanceQuery.builder().build()).instances()).isEmpty();
        String small = "\"" + "x".repeat(1000) + "\"";
        assertThat(send("POST", "/orchestrators/E1_HelloSequence", small).statusCode()).isEqualTo(202);
    }

    @Test
    void legacyRoutesOpenApiAndUnknownRoutes() {
        String legacy = base.replace(ManagementServer.DEFAULT_BASE_PATH, ManagementServer.LEGACY_BASE_PATH);
        HttpResponse<String> r = http(legacy + "/instances?code=" + KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        HttpResponse<String> started;
        try {
            started = http.send(HttpRequest.newBuilder(URI.create(legacy + "/orchestrators/E1_HelloSequence?code=" + KEY))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(json(started).get("statusQueryGetUri").asText()).startsWith(legacy + "/instances/");

        HttpResponse<String> openApi = http(base + "/openapi.json");
        assertThat(openApi.statusCode()).isEqualTo(200);
        JsonNode doc = json(openApi);
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(doc.get("paths").has("/instances/{id}/raiseEvent/{eventName}")).isTrue();

        HttpResponse<String> unknown = send("GET", "/nothing-here", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).has("message")).isTrue();
        assertThat(send("GET", "/instances/x?taskHub=OtherHub", null).statusCode()).isEqualTo(404);
        HttpResponse<String> dashboard = http(base.replace(ManagementServer.DEFAULT_BASE_PATH, "/"));
        assertThat(dashboard.statusCode()).isEqualTo(200);
        assertThat(dashboard.body()).contains("content=\"" + ManagementServer.DEFAULT_BASE_PATH + "\"", "/dashboard/app.js")
                .doesNotContain(provider.taskHubName());
        assertThat(dashboard.headers().firstValue("Content-Type").orElseThrow().replace(" ", "")).isEqualToIgnoringCase("text/html;charset=utf-8");
        assertThat(dashboard.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("default-src 'none'", "script-src 'self'")
                .doesNotContain("unsafe");
        HttpResponse<String> script = http(base.replace(ManagementServer.DEFAULT_BASE_PATH, "/dashboard/app.js"));
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type").orElseThrow().replace(" ", "")).isEqualToIgnoringCase("text/javascript;charset=utf-8");
        assertThat(script.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(script.body()).contains("x-functions-key", "sessionStorage").doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(");
        HttpResponse<String> css = http(base.replace(ManagementServer.DEFAULT_BASE_PATH, "/dashboard/app.css"));
        assertThat(css.headers().firstValue("Content-Type").orElseThrow().replace(" ", "")).isEqualToIgnoringCase("text/css;charset=utf-8");
    }

    @Test
    void requestsJettyRejectsBeforeRouting_getJsonErrorsToo() throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET " + ManagementServer.DEFAULT_BASE_PATH + "/instances/%zz HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 400").contains("application/json", "{\"message\":\"HTTP 400")
                    .doesNotContain("<html", "at org.");
        }
    }

    @Test
    void builder_requiresAKeyOrExplicitlyDisabledAuth() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ManagementServer.builder(client).build())
                .isInstanceOf(dev.taskhub.ConfigurationException.class).hasMessageContaining("system key");
        try (ManagementServer open = ManagementServer.builder(client).port(0).disableAuthentication().build().start()) {
            base = open.baseUrl();
            assertThat(send("GET", "/instances", null, null).statusCode()).isEqualTo(200);
        }
    }
}

package dev.taskhub.http;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.samples.SamplesModule;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route the router knows, with every HTTP method and path variants (suffixes, trailing slash, doubled slashes,
 * percent-encoding, path parameters, case), without a key and with a wrong one: nothing but the public documents
 * answers, no answer carries the system key, and the task hub's storage is unchanged afterwards.
 */
class HttpAuthenticationTest {
    private static final String KEY = "auth-test-key-" + UUID.randomUUID();
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");
    private static final String RUNNING = "running-1";
    /** A finished instance whose id is the public document's name: what a suffix check would let through. */
    private static final String DONE = "openapi.json";

    private StorageProvider provider;
    private TaskHubWorker worker;
    private TaskHubClient client;
    private ManagementServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String origin;

    @BeforeEach
    void start() {
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", "Auth" + UUID.randomUUID().toString().substring(0, 8)));
        worker = TaskHubWorker.builder(provider)
                .addModule(new SamplesModule())
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("go", Object.class).await())
                .build().start();
        client = new TaskHubClient(provider);
        client.scheduleNewOrchestrationInstance("E1_HelloSequence", null, NewOrchestrationOptions.withInstanceId(DONE));
        client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(RUNNING));
        assertThat(client.waitForInstanceCompletion(DONE, Duration.ofSeconds(20)).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        client.waitForInstanceStart(RUNNING, Duration.ofSeconds(20));
        server = ManagementServer.builder(client).registry(worker.registry()).port(0).systemKey(KEY).build().start();
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
    void everyRouteMethodAndPathVariant_withoutOrWithAWrongKey_isRefused_andChangesNothing() {
        List<ManagementServer.Route> routes = server.routes();
        assertThat(routes).as("routes from the router").hasSizeGreaterThan(20);
        String before = snapshot();
        String query = "?createdTimeFrom=1970-01-01T00:00:00Z&confirm=" + provider.taskHubName() + "&restartWithNewInstanceId=false";

        Set<String> plain = new LinkedHashSet<>();
        Set<String> paths = new LinkedHashSet<>();
        for (ManagementServer.Route route : routes) {
            for (String concrete : instantiate(route.path())) {
                plain.add(concrete);
                paths.addAll(variants(concrete));
            }
        }
        Set<String> publicPaths = Set.of("/", "/dashboard/app.js", "/dashboard/app.css", ManagementServer.DEFAULT_BASE_PATH + "/openapi.json",
                ManagementServer.LEGACY_BASE_PATH + "/openapi.json", ManagementServer.DEFAULT_BASE_PATH + "/health",
                ManagementServer.LEGACY_BASE_PATH + "/health");

        List<Callable<String>> requests = new ArrayList<>();
        Map<Integer, Integer> statuses = new ConcurrentSkipListMap<>();
        for (String path : paths) {
            for (String method : METHODS) {
                for (Credential credential : Credential.values()) {
                    if (credential != Credential.NONE && !plain.contains(path)) {
                        continue; // the wrong keys on the plain routes; the variants without a key
                    }
                    requests.add(() -> {
                        Answer a = send(method, path + credential.query(query), credential);
                        statuses.merge(a.status(), 1, Integer::sum);
                        boolean publicDocument = (method.equals("GET") || method.equals("HEAD")) && isPublic(path, publicPaths);
                        String verdict = check(a, publicDocument);
                        return verdict == null ? null : method + " " + path + " (" + credential + "): " + verdict;
                    });
                }
            }
        }
        List<String> failures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (Future<String> f : pool.invokeAll(requests)) {
                if (f.get() != null) {
                    failures.add(f.get());
                }
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).as("of %d requests (statuses %s)", requests.size(), statuses).isEmpty();

        // Messages to one instance are applied in order: once this marker is in the history, any event raised
        // before it would be there too.
        client.raiseEvent(RUNNING, "marker", 1);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (client.getHistory(RUNNING).stream().noneMatch(e -> e instanceof HistoryEvent.EventRaised r && r.name().equals("marker"))) {
            assertThat(System.nanoTime()).as("marker event applied in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(snapshot()).as("storage after the unauthorised requests").isEqualTo(before);
    }

    @Test
    void publicRoutes_areExactlyTheOpenApiDocumentsTheHealthStatusAndTheDashboardShell() {
        List<String> open = new ArrayList<>();
        for (ManagementServer.Route route : server.routes()) {
            if (route.path().contains("{")) {
                continue;
            }
            Answer a = send(route.method(), route.path(), Credential.NONE);
            if (a.status() / 100 == 2) {
                open.add(route.method() + " " + route.path());
                assertThat(a.body()).doesNotContain("code=", KEY);
            }
        }
        assertThat(open).containsExactlyInAnyOrder("GET /", "GET /dashboard/app.js", "GET /dashboard/app.css", "GET " + ManagementServer.DEFAULT_BASE_PATH + "/openapi.json",
                "GET " + ManagementServer.LEGACY_BASE_PATH + "/openapi.json", "GET " + ManagementServer.DEFAULT_BASE_PATH + "/health",
                "GET " + ManagementServer.LEGACY_BASE_PATH + "/health");
        // the health route tells a caller without the key the status and nothing else
        for (Credential credential : Credential.values()) {
            Answer health = send("GET", ManagementServer.DEFAULT_BASE_PATH + credential.query("/health?pendingThreshold=5m"), credential);
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("{\"status\":\"Up\"}");
        }
        // the dashboard shell carries no data of the hub
        assertThat(send("GET", "/", Credential.NONE).body()).doesNotContain(provider.taskHubName(), RUNNING);
    }

    // ---- requests ---------------------------------------------------------------------------------------------------

    enum Credential {
        NONE, WRONG_HEADER, WRONG_CODE, EMPTY_CODE;

        String query(String q) {
            return switch (this) {
                case WRONG_CODE -> q + "&code=" + KEY.substring(1);
                case EMPTY_CODE -> q + "&code=";
                default -> q;
            };
        }
    }

    record Answer(int status, String body) {}

    private Answer send(String method, String pathAndQuery, Credential credential) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .method(method, method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") || method.equals("TRACE")
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("1"));
        if (credential == Credential.WRONG_HEADER) {
            b.header(ManagementServer.KEY_HEADER, KEY + "x");
        }
        HttpRequest request = b.build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                return new Answer(r.statusCode(), r.body() == null ? "" : r.body());
            } catch (IOException e) {
                // no answer at all: the client reused a kept-alive connection the server had just closed (it closes
                // after refusing an ambiguous URI); that says nothing about authentication, so ask again
                if (attempt == 3) {
                    throw new AssertionError(method + " " + pathAndQuery, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(method + " " + pathAndQuery, e);
            }
        }
    }

    /** Null when the answer is acceptable. */
    private static String check(Answer a, boolean publicDocument) {
        if (a.body().contains("code=") || a.body().contains(KEY)) {
            return a.status() + " with the system key in the body";
        }
        if (publicDocument) {
            return a.status() == 200 ? null : "public document answered " + a.status();
        }
        // 401 for anything that reaches the router; 400 when Jetty refuses an ambiguous URI before routing
        return a.status() == 401 || a.status() == 400 ? null : "answered " + a.status() + " " + abbreviate(a.body());
    }

    /** Only the exact public paths (the query string aside) may answer without a key. */
    private static boolean isPublic(String pathAndQuery, Set<String> publicPaths) {
        int q = pathAndQuery.indexOf('?');
        return publicPaths.contains(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
    }

    private static String abbreviate(String s) {
        String line = s.replaceAll("\\s+", " ");
        return line.length() > 160 ? line.substring(0, 160) + "..." : line;
    }

    // ---- paths ------------------------------------------------------------------------------------------------------

    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    /** A route template with its parameters filled: real names and ids, and the public document's name. */
    static Set<String> instantiate(String template) {
        Set<String> result = new LinkedHashSet<>();
        result.add(template);
        Matcher m = PARAM.matcher(template);
        while (m.find()) {
            List<String> values = switch (m.group(1)) {
                case "name" -> List.of("E1_HelloSequence", "WaitForGo");
                case "instanceId" -> List.of("new-1", "openapi.json");
                case "id" -> List.of(RUNNING, DONE);
                case "eventName" -> List.of("go", "openapi.json");
                default -> List.of("x", "openapi.json");
            };
            Set<String> next = new LinkedHashSet<>();
            for (String partial : result) {
                for (String v : values) {
                    next.add(partial.replace("{" + m.group(1) + "}", v));
                }
            }
            result = next;
        }
        return result;
    }

    /** Spellings of one path that a lax check might treat differently from the router. */
    static Set<String> variants(String p) {
        Set<String> v = new LinkedHashSet<>();
        v.add(p);
        v.add(p + "/");
        v.add(p + "/openapi.json");
        v.add(p + "//openapi.json");
        v.add(p + "/openapi.json/");
        v.add(p + "%2Fopenapi.json");
        v.add(p + ";/openapi.json");
        v.add(p + ";x=1");
        v.add(p + "/.");
        v.add(p + "/./openapi.json");
        v.add(p + "/x/../openapi.json");
        v.add(p + "?/openapi.json");
        v.add("/" + p);
        v.add(p.replaceFirst("/([^/]+)$", "//$1"));
        v.add(p.replace("/", "//"));
        v.add(p.toUpperCase(Locale.ROOT));
        v.add(encodeFirstLetter(p));
        v.add(p.replace(".", "%2E"));
        v.add(p.replaceFirst("/([^/]+)$", "/%2E/$1"));
        for (String prefix : List.of(ManagementServer.DEFAULT_BASE_PATH, ManagementServer.LEGACY_BASE_PATH)) {
            if (p.startsWith(prefix + "/")) {
                String rest = p.substring(prefix.length() + 1);
                v.add(prefix + "/openapi.json/../" + rest);   // climbs from the public document to the route
                v.add(prefix + "/openapi.json%2F..%2F" + rest);
                v.add(prefix + "/openapi.json;/../" + rest);
            }
        }
        return v;
    }

    private static String encodeFirstLetter(String p) {
        StringBuilder b = new StringBuilder();
        boolean done = false;
        for (char c : p.toCharArray()) {
            if (!done && Character.isLetter(c)) {
                b.append('%').append(String.format("%02X", (int) c));
                done = true;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // ---- storage ----------------------------------------------------------------------------------------------------

    /** Every instance with its state, input, output and history, in a stable text form. */
    private String snapshot() {
        TreeMap<String, String> all = new TreeMap<>();
        String token = null;
        do {
            QueryResult page = client.queryInstances(InstanceQuery.builder().fetchInputsAndOutputs(true).pageSize(100)
                    .continuationToken(token).build());
            for (OrchestrationMetadata m : page.instances()) {
                // the marker's episode adds OrchestratorStarted/Completed and the marker itself; anything else counts
                List<String> history = new ArrayList<>();
                for (HistoryEvent e : client.getHistory(m.instanceId())) {
                    boolean markerEpisode = e instanceof HistoryEvent.EventRaised r && r.name().equals("marker")
                            || e instanceof HistoryEvent.OrchestratorStarted || e instanceof HistoryEvent.OrchestratorCompleted;
                    if (!markerEpisode) {
                        history.add(e.toString());
                    }
                }
                all.put(m.instanceId(), m.toString().replaceAll("lastUpdatedAt=[^,]*, ", "") + " history=" + history);
            }
            token = page.continuationToken();
        } while (token != null);
        return all.toString();
    }
}

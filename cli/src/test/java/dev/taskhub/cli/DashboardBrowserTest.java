package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.convert.RawJson;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantinedMessage;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real browser: {@code taskhub serve} (a separate process, with {@code --key} and
 * {@code --read-only-key}) on a PostgreSQL task hub, headless Chromium (Debian's {@code chromium}) driven by
 * {@code playwright-core}: one Node process and one browser for the class ({@code src/test/browser/driver.mjs}),
 * one script per scenario (under {@code src/test/browser}) in a fresh browser context; storage is checked through a
 * {@link TaskHubClient} afterwards. Skipped (with the reason) when Chromium, Node, playwright-core
 * ({@code TASKHUB_PLAYWRIGHT_HOME}) or PostgreSQL is missing; fails instead when TASKHUB_REQUIRE_ALL_PROVIDERS=true.
 * Screenshots of the list and an instance page go to {@code target/dashboard-screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "browser-" + UUID.randomUUID();
    private static final String READ_ONLY_KEY = "viewer-" + UUID.randomUUID();
    private static final Path SCRIPTS = Path.of("src", "test", "browser");
    private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");

    private Path dir;
    private String hub;
    private StorageProvider provider;
    private TaskHubClient client;
    private Process serve;
    private String origin;
    private String playwrightHome;
    private String chromium;
    private Process driver;
    private java.io.Writer driverInput;
    private final java.util.concurrent.BlockingQueue<String> driverOutput = new java.util.concurrent.LinkedBlockingQueue<>();

    @BeforeAll
    void startServe() throws Exception {
        requireBrowserAndPostgres();
        dir = Files.createTempDirectory("taskhub-dashboard");
        hub = "Dash" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String connection = CliPostgresTest.connectionString();
        Files.writeString(dir.resolve("taskhub.properties"), "AzureWebJobsStorage=" + connection + "\ntaskhub.postgres.poolSize=4\n");
        provider = StorageProviders.open(null, ProviderConfig.of(connection, hub));
        provider.createTaskHub();
        client = new TaskHubClient(provider);
        ProcessBuilder pb = new ProcessBuilder(CliProcessTest.command("serve", "--port", "0", "--key", KEY, "--read-only-key", READ_ONLY_KEY,
                "--task-hub-name", hub)).directory(dir.toFile()).redirectError(dir.resolve("serve-stderr.txt").toFile());
        pb.environment().remove("AzureWebJobsStorage");
        serve = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.trim().startsWith("Dashboard:")) {
                origin = line.substring(line.indexOf("http://")).trim();
            }
            if (line.startsWith("Press Ctrl-C")) {
                break;
            }
        }
        assertThat(origin).as("serve printed the dashboard's URL; stderr: %s", Files.readString(dir.resolve("serve-stderr.txt"))).isNotNull();
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "serve-stdout");
        drain.setDaemon(true);
        drain.start();
        Files.createDirectories(SCREENSHOTS);
        startDriver();
    }

    @AfterAll
    void stopServe() throws Exception {
        if (driver != null) {
            driverInput.close();
            if (!driver.waitFor(20, TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        }
        if (serve != null) {
            serve.destroy();
            if (!serve.waitFor(20, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
        if (provider != null) {
            provider.deleteTaskHub();
            provider.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private void requireBrowserAndPostgres() {
        boolean required = "true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"));
        chromium = env("TASKHUB_CHROMIUM", "/usr/bin/chromium");
        playwrightHome = System.getenv("TASKHUB_PLAYWRIGHT_HOME");
        boolean postgresProvider = StorageProviders.available().stream().anyMatch(f -> f.name().equals("postgres"));
        String reason = null;
        if (!Files.isExecutable(Path.of(chromium))) {
            reason = "no Chromium at " + chromium + " (apt-get install chromium, or set TASKHUB_CHROMIUM)";
        } else if (playwrightHome == null || !Files.isDirectory(Path.of(playwrightHome, "node_modules", "playwright-core"))) {
            reason = "TASKHUB_PLAYWRIGHT_HOME does not name a folder with node_modules/playwright-core (npm install playwright-core@1.64.1 there)";
        } else if (!nodeRuns()) {
            reason = "Node.js (node) is not on the PATH";
        } else if (!postgresProvider) {
            reason = "the PostgreSQL provider (taskhub-provider-postgres) is not on the class path";
        } else if (System.getenv("TASKHUB_POSTGRES_URL") == null && !reachable()) {
            reason = "no PostgreSQL server answers on 127.0.0.1:5432 and TASKHUB_POSTGRES_URL is not set";
        }
        if (reason != null) {
            System.err.println("*** DashboardBrowserTest SKIPPED: " + reason + " ***");
            assertThat(required).as("TASKHUB_REQUIRE_ALL_PROVIDERS=true but " + reason).isFalse();
        }
        assumeTrue(reason == null, reason);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
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

    // ---- scenarios ---------------------------------------------------------------------------------------------------

    @Test
    void instanceList_countsPagingSortFiltersInTheUrlBackButtonAndAutoRefresh() {
        List<String> completed = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            completed.add(start("E1_HelloSequence", "list-" + i, null));
        }
        List<String> running = List.of(start("E3_Counter", "ctr-list-1", "0"), start("E3_Counter", "ctr-list-2", "0"),
                start("E3_Counter", "ctr-list-3", "0"));
        completed.forEach(id -> CliRunner.awaitStatus(client, id, RuntimeStatus.COMPLETED));
        running.forEach(id -> CliRunner.awaitStatus(client, id, RuntimeStatus.RUNNING));

        script("list.mjs", Map.of("completed", completed, "running", running));
    }

    @Test
    void instancePage_statusPayloadsFailureTimelineHistoryAndJsonDownload() {
        String approval = start("E4_HumanApproval", "page-approval", "1");
        String failed = start("E3_Counter", "page-failed", "\"not a number\"");
        String parent = start(DashboardTestModule.PARENT, "page-parent", null);
        CliRunner.awaitStatus(client, approval, RuntimeStatus.COMPLETED);
        CliRunner.awaitStatus(client, failed, RuntimeStatus.FAILED);
        CliRunner.awaitStatus(client, parent, RuntimeStatus.COMPLETED);

        script("instance.mjs", Map.of("approval", approval, "failed", failed, "parent", parent, "child", parent + "-child"));
    }

    @Test
    void everyAction_throughItsConfirmationDialog_changesStorage() {
        String raise = start("E3_Counter", "act-raise", "5");
        String terminate = start("E3_Counter", "act-terminate", "0");
        String suspend = start("E3_Counter", "act-suspend", "0");
        String rewind = start("E3_Counter", "act-rewind", "\"not a number\"");
        String restart = start("E1_HelloSequence", "act-restart", null);
        String purge = start("E1_HelloSequence", "act-purge", null);
        for (String id : List.of(raise, terminate, suspend)) {
            CliRunner.awaitStatus(client, id, RuntimeStatus.RUNNING);
        }
        CliRunner.awaitStatus(client, rewind, RuntimeStatus.FAILED);
        CliRunner.awaitStatus(client, restart, RuntimeStatus.COMPLETED);
        CliRunner.awaitStatus(client, purge, RuntimeStatus.COMPLETED);

        JsonNode result = script("actions.mjs", Map.of("raise", raise, "terminate", terminate, "suspend", suspend, "rewind", rewind,
                "restart", restart, "purge", purge));

        OrchestrationMetadata started = client.getInstanceMetadata("act-started", true).orElseThrow();
        assertThat(started.name()).isEqualTo("E3_Counter");
        assertThat(started.serializedInput()).as("7 from the start dialog, plus one by the event").isEqualTo("8");
        CliRunner.awaitStatus(client, raise, RuntimeStatus.COMPLETED);
        assertThat(client.getInstanceMetadata(raise, true).orElseThrow().serializedOutput()).isEqualTo("5");
        CliRunner.awaitStatus(client, terminate, RuntimeStatus.TERMINATED);
        assertThat(client.getHistory(terminate)).anyMatch(e -> e instanceof HistoryEvent.ExecutionTerminated t
                && "closed from the dashboard".equals(t.reason()));
        CliRunner.awaitStatus(client, suspend, RuntimeStatus.RUNNING);
        assertThat(client.getHistory(suspend)).anyMatch(e -> e instanceof HistoryEvent.ExecutionSuspended)
                .anyMatch(e -> e instanceof HistoryEvent.ExecutionResumed);
        assertThat(client.getHistory(rewind)).anyMatch(e -> e instanceof HistoryEvent.ExecutionRewound);
        String restarted = result.get("restarted").asText();
        assertThat(restarted).isNotEqualTo(restart);
        assertThat(client.getInstanceMetadata(restarted, false).orElseThrow().name()).isEqualTo("E1_HelloSequence");
        assertThat(client.getInstanceMetadata(purge, false)).isEmpty();
    }

    @Test
    void bulkOperation_onAFilteredList_dryRunCountThenJobProgress() {
        List<String> targets = List.of(start("E3_Counter", "bulk-1", "0"), start("E3_Counter", "bulk-2", "0"),
                start("E3_Counter", "bulk-3", "0"));
        String other = start("E1_HelloSequence", "bulk-done", null);
        targets.forEach(id -> CliRunner.awaitStatus(client, id, RuntimeStatus.RUNNING));
        CliRunner.awaitStatus(client, other, RuntimeStatus.COMPLETED);

        script("bulk.mjs", Map.of("targets", targets));

        targets.forEach(id -> CliRunner.awaitStatus(client, id, RuntimeStatus.TERMINATED));
        assertThat(client.getInstanceMetadata(other, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    }

    /**
     * Quarantine records are written through the provider's {@code QuarantineStore} (as a worker writes them for poison
     * messages; the worker's own path is tested with the providers): an {@code operation: stop} event of a counter.
     */
    @Test
    void quarantineView_showReplayAndDiscard_changeStorage() {
        String replayed = start("E3_Counter", "q-replay", "3");
        String discarded = start("E3_Counter", "q-discard", "4");
        CliRunner.awaitStatus(client, replayed, RuntimeStatus.RUNNING);
        CliRunner.awaitStatus(client, discarded, RuntimeStatus.RUNNING);
        String replayRecord = quarantine(replayed);
        String discardRecord = quarantine(discarded);

        script("quarantine.mjs", Map.of("replayed", replayed, "discarded", discarded, "replayRecord", replayRecord,
                "discardRecord", discardRecord));

        CliRunner.awaitStatus(client, replayed, RuntimeStatus.COMPLETED);
        assertThat(client.getInstanceMetadata(replayed, true).orElseThrow().serializedOutput()).isEqualTo("3");
        assertThat(provider.getQuarantineRecord(replayRecord)).isEmpty();
        assertThat(provider.getQuarantineRecord(discardRecord)).isEmpty();
        assertThat(client.getInstanceMetadata(discarded, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.RUNNING);
    }

    private String quarantine(String instanceId) {
        String id = "rec-" + instanceId + "-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        provider.putQuarantineRecord(new QuarantineRecord(id, instanceId, null, QuarantineRecord.Kind.ORCHESTRATION,
                List.of(new QuarantinedMessage("msg-" + id, null, new HistoryEvent.EventRaised(-1, now, "operation", "\"stop\"", "msg-" + id), now)),
                11, "Delivered 11 times; last error: <b>boom</b>", now));
        return id;
    }

    @Test
    void readOnlyKey_hidesTheActions_andTheServerRefusesThem() {
        String running = start("E3_Counter", "ro-running", "0");
        CliRunner.awaitStatus(client, running, RuntimeStatus.RUNNING);
        int historyBefore = client.getHistory(running).size();
        String record = quarantine(running);

        script("readonly.mjs", Map.of("running", running, "record", record));

        assertThat(provider.getQuarantineRecord(record)).isPresent();
        OrchestrationMetadata after = client.getInstanceMetadata(running, false).orElseThrow();
        assertThat(after.runtimeStatus()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(client.getHistory(running)).hasSize(historyBefore);
        assertThat(client.queryInstances(InstanceQuery.builder().instanceIdPrefix("ro-").build()).instances()).hasSize(1);
    }

    @Test
    void hostileIdsInputsAndEventNames_areRenderedAsText() {
        String failed = start("E3_Counter", "<img src=x onerror=\"window.__xss=1\">", "\"<script>window.__xss=2</script>\"");
        String running = start("E3_Counter", "\"><svg onload=window.__xss=3>", "1");
        CliRunner.awaitStatus(client, failed, RuntimeStatus.FAILED);
        CliRunner.awaitStatus(client, running, RuntimeStatus.RUNNING);
        client.raiseEvent(running, "<img src=x onerror=window.__xss=4>", "<b onmouseover=window.__xss=5>bold</b>");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (client.getHistory(running).stream().noneMatch(e -> e instanceof HistoryEvent.EventRaised)) {
            assertThat(System.nanoTime()).as("the event is in the history in time").isLessThan(deadline);
            Thread.onSpinWait();
        }

        script("hostile.mjs", Map.of("failed", failed, "running", running));
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private long setupStarted = System.nanoTime();

    @org.junit.jupiter.api.BeforeEach
    void markSetup() {
        setupStarted = System.nanoTime();
    }

    private String start(String name, String id, String input) {
        return client.scheduleNewOrchestrationInstance(name, input == null ? null : new RawJson(input),
                NewOrchestrationOptions.withInstanceId(id));
    }

    /**
     * Runs one scenario ({@code src/test/browser/<name>.mjs}) in the driver's browser, with the ids the test created;
     * fails with the scenario's error; answers what the scenario reported with {@code b.result(...)} (or null).
     */
    private JsonNode script(String name, Map<String, Object> data) {
        System.out.println("--- setup done in " + (System.nanoTime() - setupStarted) / 1_000_000 + " ms");
        String scenario = name.replace(".mjs", "");
        try {
            driverInput.write(JSON.writeValueAsString(Map.of("scenario", scenario, "data", data)) + "\n");
            driverInput.flush();
            StringBuilder log = new StringBuilder();
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (true) {
                String line = driverOutput.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                assertThat(line).as("%s finished in time (driver exited: %s); output so far:%n%s", name, !driver.isAlive(), log).isNotNull();
                if (line.startsWith("PASSED " + scenario + " ")) {
                    String[] parts = line.split(" ", 4); // PASSED <scenario> <ms> <result JSON>
                    System.out.println("--- " + scenario + " passed in " + parts[2] + " ms");
                    JsonNode answer = JSON.readTree(parts[3]);
                    return answer.isNull() ? null : answer;
                }
                if (line.startsWith("FAILED " + scenario + " ")) {
                    String error = JSON.readTree(line.substring(("FAILED " + scenario + " ").length())).asText();
                    throw new AssertionError("Browser scenario " + scenario + " failed:\n" + error + "\n" + log
                            + "serve stderr (tail):\n" + tail(Files.readString(dir.resolve("serve-stderr.txt"))));
                }
                log.append(line).append('\n');
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    /** Starts the driver: one Chromium for the whole class, fed one scenario per line. */
    private void startDriver() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("node", SCRIPTS.resolve("driver.mjs").toAbsolutePath().toString())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("DASHBOARD_URL", origin);
        env.put("DASHBOARD_KEY", KEY);
        env.put("DASHBOARD_READ_ONLY_KEY", READ_ONLY_KEY);
        env.put("TASKHUB_PLAYWRIGHT_HOME", playwrightHome);
        env.put("TASKHUB_CHROMIUM", chromium);
        env.put("SCREENSHOT_DIR", SCREENSHOTS.toAbsolutePath().toString());
        driver = pb.start();
        driverInput = new java.io.OutputStreamWriter(driver.getOutputStream(), StandardCharsets.UTF_8);
        BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    driverOutput.add(line);
                }
            } catch (IOException ignored) {
                // the driver ended
            }
        }, "browser-driver-output");
        reader.setDaemon(true);
        reader.start();
    }
}

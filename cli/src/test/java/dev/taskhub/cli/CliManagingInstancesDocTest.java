package dev.taskhub.cli;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every {@code func durable} command line of docs/managing-instances.md, verbatim with {@code taskhub} in place of
 * {@code func durable}, each in its own JVM, against PostgreSQL (a private database, so the fixed task hub names of
 * the document touch nobody else's data). Before each line the instance it names is put in the state the line
 * needs; after it, the effect is checked. Skipped (with the reason) when no PostgreSQL server answers on
 * 127.0.0.1:5432; fails instead when TASKHUB_REQUIRE_ALL_PROVIDERS=true.
 */
class CliManagingInstancesDocTest {
    private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();
    private static final Path DOCUMENT = Path.of("..", "docs", "managing-instances.md");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final String database = "taskhub_cli_doc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private String url;
    private boolean created;
    private StorageProvider provider;
    private TaskHubClient client;
    private TaskHubWorker worker;
    private Path dir;

    @BeforeEach
    void start() throws SQLException {
        boolean required = "true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"));
        String admin = CliPostgresTest.connectionString();
        boolean reachable = System.getenv("TASKHUB_POSTGRES_URL") != null || reachable();
        if (!reachable) {
            System.err.println("*** CliManagingInstancesDocTest SKIPPED: no PostgreSQL server answers on 127.0.0.1:5432 ***");
            assertThat(required).as("TASKHUB_REQUIRE_ALL_PROVIDERS=true but no PostgreSQL server answers").isFalse();
        }
        assumeTrue(reachable, "no PostgreSQL server answers on 127.0.0.1:5432");
        execute(admin, "CREATE DATABASE " + database);
        created = true;
        url = admin.replaceFirst("^(jdbc:postgresql://[^/]+/)[^?]*", "$1" + database);
        provider = StorageProviders.open(null, ProviderConfig.of(url, ProviderConfig.DEFAULT_TASK_HUB));
        provider.createTaskHub();
        client = new TaskHubClient(provider);
        worker = TaskHubWorker.builder(provider)
                .addOrchestrator("Echo", ctx -> Map.of("echo", ctx.getInput(Object.class)))
                .addOrchestrator("WaitFor", ctx -> ctx.waitForExternalEvent(ctx.getInput(String.class), Object.class).await())
                .addOrchestrator("FailOnce", ctx -> ctx.callActivity("Flaky", null, String.class).await())
                .addActivity("Flaky", ctx -> {
                    if (FAIL_NEXT.getAndSet(false)) {
                        throw new IllegalStateException("first delivery fails");
                    }
                    return "recovered";
                })
                .build().start();
    }

    @AfterEach
    void stop() throws SQLException {
        if (worker != null) {
            worker.close();
        }
        if (provider != null) {
            provider.close();
        }
        if (created) {
            execute(CliPostgresTest.connectionString(), "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void everyFuncDurableLineOfTheDocument_worksVerbatim_inItsOwnProcess(@TempDir Path workingDir) throws Exception {
        dir = workingDir;
        List<String> lines = funcDurableLines(Files.readString(DOCUMENT));
        assertThat(lines).as("func durable lines in %s", DOCUMENT).hasSizeGreaterThanOrEqualTo(11);
        Files.writeString(dir.resolve("taskhub.properties"), "AzureWebJobsStorage=" + url + "\n");
        Files.writeString(dir.resolve("counter-data.json"), "{\"counter\": 5}");
        Files.writeString(dir.resolve("eventdata.json"), "{\"approved\": true}");

        for (String line : lines) {
            List<String> args = split(line.substring("func durable ".length()));
            String command = args.get(0);
            String id = option(args, "--id");
            prepare(command, id, args);
            CliProcessTest.Run r = CliProcessTest.run(dir, args.toArray(String[]::new));
            assertThat(r.exitCode()).as("taskhub %s%nstdout: %s%nstderr: %s", String.join(" ", args), r.out(), r.err()).isZero();
            assertThat(r.err()).as("taskhub %s", line).doesNotContain("Exception", "\tat ");
            check(command, id, args, r.out());
        }
    }

    /** Puts the instance a line names into the state the line needs. */
    private void prepare(String command, String id, List<String> args) {
        switch (command) {
            case "get-runtime-status", "get-history" -> {
                startReplacing("Echo", Map.of("city", "Tokyo"), id);
                assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
            }
            case "terminate" -> {
                startReplacing("WaitFor", "NeverRaised", id);
                client.waitForInstanceStart(id, WAIT);
            }
            case "raise-event" -> {
                startReplacing("WaitFor", option(args, "--event-name"), id);
                client.waitForInstanceStart(id, WAIT);
            }
            case "rewind" -> {
                FAIL_NEXT.set(true);
                startReplacing("FailOnce", null, id);
                assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
            }
            case "purge-history" -> {
                // a failed instance created now: the document's line purges only failed instances created before 2021-11-14
                FAIL_NEXT.set(true);
                startReplacing("FailOnce", null, "failed-now");
                assertThat(client.waitForInstanceCompletion("failed-now", WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
            }
            case "delete-task-hub" -> {
                try (StorageProvider hub = hub(option(args, "--task-hub-name"))) {
                    hub.createTaskHub();
                    new TaskHubClient(hub).scheduleNewOrchestrationInstance("Anything", null, NewOrchestrationOptions.withInstanceId("doomed"));
                }
            }
            default -> {
                // start-new and get-instances need nothing
            }
        }
    }

    /** What the line did, seen from the task hub (and what it printed). */
    private void check(String command, String id, List<String> args, String out) throws IOException, InterruptedException {
        switch (command) {
            case "start-new" -> {
                try (StorageProvider hub = hub(option(args, "--task-hub-name"))) {
                    TaskHubClient other = new TaskHubClient(hub);
                    String started = out.replaceFirst("(?s).*with instance id (\\S+) .*", "$1");
                    OrchestrationMetadata m = other.getInstanceMetadata(started, true).orElseThrow();
                    assertThat(m.name()).isEqualTo(option(args, "--function-name"));
                    String file = option(args, "--input").substring(1);
                    assertThat(m.serializedInput().replace(" ", "")).isEqualTo(Files.readString(dir.resolve(file)).replace(" ", ""));
                }
            }
            case "get-runtime-status" -> assertThat(out).contains(id, "Completed", "Tokyo", "echo");
            case "get-history" -> assertThat(out).contains("ExecutionStarted", "ExecutionCompleted");
            case "get-instances" -> {
                if (option(args, "--created-after") != null) {
                    assertThat(out).contains("No instances match.");   // the document's window is in 2021
                } else {
                    assertThat(out).contains("INSTANCE ID", "0ab8c55a66644d68a3a8b220b12d209c");
                }
            }
            case "terminate" -> {
                OrchestrationMetadata m = client.waitForInstanceCompletion(id, WAIT);
                assertThat(m.runtimeStatus()).isEqualTo(RuntimeStatus.TERMINATED);
                assertThat(m.readOutputAs(String.class)).isEqualTo(option(args, "--reason"));
            }
            case "raise-event" -> {
                OrchestrationMetadata m = client.waitForInstanceCompletion(id, WAIT);
                assertThat(m.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
                String data = option(args, "--event-data");
                assertThat(m.serializedOutput().replace(" ", "")).isEqualTo(data.startsWith("@")
                        ? Files.readString(dir.resolve(data.substring(1))).replace(" ", "") : data);
            }
            case "rewind" -> {
                // the rewind is applied by the worker after the command returns; FAILED is terminal, so wait it out
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() == RuntimeStatus.FAILED
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                OrchestrationMetadata m = client.waitForInstanceCompletion(id, WAIT);
                assertThat(m.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
                assertThat(m.readOutputAs(String.class)).isEqualTo("recovered");
            }
            case "purge-history" -> {
                assertThat(out).contains("Purged 0 instance(s)");
                assertThat(client.getInstanceMetadata("failed-now", false)).as("created after the cut-off: kept").isPresent();
            }
            case "delete-task-hub" -> {
                assertThat(out).contains("Deleted task hub '" + option(args, "--task-hub-name") + "'");
                try (StorageProvider hub = hub(option(args, "--task-hub-name"))) {
                    hub.createTaskHub();
                    assertThat(new TaskHubClient(hub).queryInstances(InstanceQuery.builder().build()).instances()).isEmpty();
                }
            }
            default -> {
                // a line this test does not know yet: exit code 0 was checked
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private void startReplacing(String name, Object input, String id) {
        client.scheduleNewOrchestrationInstance(name, input, NewOrchestrationOptions.withInstanceId(id)
                .withIdReusePolicy(IdReusePolicy.ALWAYS_REPLACE));
    }

    private StorageProvider hub(String name) {
        return StorageProviders.open(null, ProviderConfig.of(url, name));
    }

    /** The lines of the document's code blocks that start with {@code func durable}. */
    static List<String> funcDurableLines(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inCode = false;
        for (String line : markdown.split("\n")) {
            if (line.trim().startsWith("```")) {
                inCode = !inCode;
            } else if (inCode && line.trim().startsWith("func durable ")) {
                lines.add(line.trim());
            }
        }
        return lines;
    }

    /** Splits a command line as a POSIX shell does for plain words and double-quoted strings. */
    static List<String> split(String commandLine) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(commandLine);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words;
    }

    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        return i < 0 || i + 1 >= args.size() ? null : args.get(i + 1);
    }

    private static void execute(String jdbcUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
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

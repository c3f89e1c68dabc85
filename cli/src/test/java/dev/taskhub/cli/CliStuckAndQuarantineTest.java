package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.http.ManagementServer;
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

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.taskhub.cli.CliRunner.json;
import static dev.taskhub.cli.CliRunner.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code taskhub stuck} and {@code taskhub quarantine ...} on an in-memory hub whose worker really quarantines a poison
 * message, locally and with {@code --url} through a real server: text, JSON, and exit codes 0 (done), 1 (refused or
 * bad input, with the option named) and 2 (usage).
 */
class CliStuckAndQuarantineTest {
    private static final String KEY = "cli-key-" + UUID.randomUUID();

    private final CliRunner cli = new CliRunner(Map.of());
    private String hub;
    private StorageProvider provider;
    private TaskHubClient client;
    private TaskHubWorker worker;
    private ManagementServer server;

    @BeforeEach
    void start() {
        hub = "CliStuck" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", hub));
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
    }

    private CliRunner.Result run(boolean remote, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(remote ? List.of("--url", server.baseUrl(), "--key", KEY) : List.of("--task-hub-name", hub));
        return cli.run(all.toArray(String[]::new));
    }

    private CliRunner.Result ok(boolean remote, String... args) {
        CliRunner.Result r = run(remote, args);
        assertThat(r.exitCode()).as("exit code of %s; stderr: %s", List.of(args), r.err()).isZero();
        return r;
    }



    /** A worker that crashes on the instance five times; the next worker quarantines its messages. */
    private String poisoned() {
        String id = client.scheduleNewOrchestrationInstance("Poison", "in");
        for (int i = 0; i < 5; i++) {
            OrchestrationWorkItem item = provider.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ofSeconds(5)).get(0);
            provider.abandonOrchestrationWorkItem(item, Duration.ZERO);
        }
        return id;
    }

    private void startWorker() {
        worker = TaskHubWorker.builder(provider).addOrchestrator("Poison", ctx -> "replayed " + ctx.getInput(String.class))
                .options(WorkerOptions.builder().maxDeliveryCount(5).retentionInterval(Duration.ZERO).build()).build().start();
    }

    @Test
    void stuck_listsTheReasons_inTextAndJson_locallyAndRemotely_andNamesBadOptions() throws Exception {
        String id = poisoned();
        Thread.sleep(5);
        for (boolean remote : List.of(false, true)) {
            CliRunner.Result text = ok(remote, "stuck", "--threshold", "1ms");
            assertThat(text.out()).contains(id).contains("Pending,RepeatedFailures").contains("1 stuck instance(s).");
            JsonNode json = json(ok(remote, "stuck", "--threshold", "1ms", "--json"));
            assertThat(json.get("instances").get(0).get("deliveryCount").asInt()).isEqualTo(5);
            assertThat(json.get("examined")).hasSize(4);
            assertThat(ok(remote, "stuck", "--threshold", "1h", "--repeated-deliveries", "6").out()).contains("No instance")
                    .contains("is stuck for longer than 1h");
        }
        for (List<String> bad : List.of(List.of("--limit", "0"), List.of("--threshold", "soon"), List.of("--repeated-deliveries", "1"))) {
            List<String> args = new ArrayList<>(List.of("stuck"));
            args.addAll(bad);
            CliRunner.Result r = run(false, args.toArray(String[]::new));
            assertThat(r.exitCode()).as("%s", bad).isEqualTo(1);
            assertThat(r.err()).as("%s", bad).contains(bad.get(0));
        }
        assertThat(ok(false, "stats").out()).contains("Health: Degraded").contains("Stuck instances: 1");
    }

    @Test
    void quarantine_listShowReplayDiscard_locallyAndRemotely() {
        String id = poisoned();
        startWorker();
        awaitStatus(client, id, RuntimeStatus.FAILED);

        CliRunner.Result list = ok(false, "quarantine", "list");
        assertThat(list.out()).contains(id).contains("Orchestration").contains("ExecutionStarted");
        JsonNode records = json(ok(false, "quarantine", "list", "--json"));
        assertThat(records).hasSize(1);
        assertThat(json(ok(true, "quarantine", "list", "--json", "--instance-id", id))).as("the same through HTTP").isEqualTo(records);
        String recordId = records.get(0).get("id").asText();
        assertThat(ok(true, "quarantine", "show", recordId).out()).contains("Reason:").contains("delivered 6 times")
                .contains("ExecutionStarted");
        assertThat(json(ok(false, "quarantine", "show", recordId, "--json"))).isEqualTo(records.get(0));
        assertThat(ok(false, "stats").out()).contains("quarantine records: 1");
        assertThat(json(ok(false, "stats", "--json")).get("health").get("quarantined").asInt()).isEqualTo(1);

        CliRunner.Result badKind = run(false, "quarantine", "list", "--kind", "Bogus");
        assertThat(badKind.exitCode()).isEqualTo(1);
        assertThat(badKind.err()).contains("--kind").contains("Orchestration, Activity");
        for (boolean remote : List.of(false, true)) {
            CliRunner.Result unknown = run(remote, "quarantine", "show", "no-such-record");
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.err()).contains("no-such-record");
        }
        assertThat(run(false, "quarantine").exitCode()).as("no subcommand").isEqualTo(2);
        assertThat(run(false, "quarantine", "replay").exitCode()).as("no record id").isEqualTo(2);

        assertThat(ok(true, "quarantine", "replay", recordId).out()).contains("Replayed quarantine record " + recordId)
                .contains("rewound the instance").contains("sent 1 message(s) again");
        awaitStatus(client, id, RuntimeStatus.COMPLETED);
        assertThat(client.getInstanceMetadata(id, true).orElseThrow().readOutputAs(String.class)).isEqualTo("replayed in");
        assertThat(run(false, "quarantine", "replay", recordId).exitCode()).isEqualTo(1);

        // a record the completed instance can do nothing with: replay is refused with what to do, discard deletes it
        String execution = client.getInstanceMetadata(id, false).orElseThrow().executionId();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        provider.putQuarantineRecord(new QuarantineRecord("late", id, execution, QuarantineRecord.Kind.ORCHESTRATION,
                List.of(new QuarantinedMessage("m", execution, new HistoryEvent.EventRaised(-1, now, "Go", null, "m"), null)),
                6, "test", now));
        CliRunner.Result refused = run(false, "quarantine", "replay", "late");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("Completed").contains("taskhub quarantine discard late");
        assertThat(json(ok(true, "quarantine", "discard", "late", "--json")).get("discarded").asBoolean()).isTrue();
        assertThat(run(false, "quarantine", "discard", "late").exitCode()).isEqualTo(1);
        assertThat(ok(false, "quarantine", "list").out()).contains("No quarantine records");
    }
}

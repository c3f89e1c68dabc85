package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.taskhub.cli.CliRunner.json;
import static dev.taskhub.cli.CliRunner.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line run in-process against an in-memory task hub that a worker in this JVM also serves (in-memory
 * hubs are shared within a JVM), so every subcommand can be checked end to end.
 */
class CliTest {
    static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();

    private final CliRunner cli = new CliRunner(Map.of());
    private TestHub fixture;
    private String hub;
    private TaskHubClient client;

    @BeforeEach
    void start() {
        fixture = TestHub.start("Cli", b -> b
                .addOrchestrator("FailOnce", ctx -> ctx.callActivity("Flaky", null, String.class).await())
                .addActivity("Flaky", ctx -> {
                    if (FAIL_NEXT.getAndSet(false)) {
                        throw new IllegalStateException("first delivery fails");
                    }
                    return "recovered";
                }));
        hub = fixture.name;
        client = fixture.client;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private CliRunner.Result ok(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--task-hub-name");
        all.add(hub);
        CliRunner.Result r = cli.run(all.toArray(String[]::new));
        assertThat(r.exitCode()).as("exit code of %s; stderr: %s", all, r.err()).isZero();
        return r;
    }

    private CliRunner.Result refused(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--task-hub-name");
        all.add(hub);
        return cli.run(all.toArray(String[]::new));
    }



    private void awaitCustomStatus(String id, String json) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (client.getInstanceMetadata(id, false).map(m -> json.equals(m.serializedCustomStatus())).orElse(false)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(id + " never had custom status " + json);
    }

    @Test
    void startNew_getRuntimeStatus_getHistory(@TempDir Path dir) throws IOException {
        Path input = dir.resolve("input.json");
        Files.writeString(input, "7");
        CliRunner.Result started = ok("start-new", "--function-name", "E2_FanOutFanIn", "--input", "@" + input, "--id", "fan-7");
        assertThat(started.out()).contains("fan-7", "E2_FanOutFanIn");
        assertThat(started.err()).contains("in-memory".replace("-", ""));
        client.waitForInstanceCompletion("fan-7", Duration.ofSeconds(10));

        CliRunner.Result text = ok("get-runtime-status", "--id", "fan-7", "--show-input", "--show-output");
        assertThat(text.out()).contains("Runtime status:", "Completed", "Input:", "7", "Output:", "56");

        JsonNode status = json(ok("get-runtime-status", "--id", "fan-7", "--json"));
        assertThat(status.get("runtimeStatus").asText()).isEqualTo("Completed");
        assertThat(status.get("instanceId").asText()).isEqualTo("fan-7");
        assertThat(status.has("output")).isFalse();
        assertThat(status.has("input")).isFalse();
        JsonNode withOutput = json(ok("get-runtime-status", "--id", "fan-7", "--json", "--show-output", "--show-input"));
        assertThat(withOutput.get("output").asInt()).isEqualTo(56);
        assertThat(withOutput.get("input").asInt()).isEqualTo(7);

        JsonNode history = json(ok("get-history", "--id", "fan-7", "--json"));
        assertThat(history.get(0).get("EventType").asText()).isEqualTo("ExecutionStarted");
        assertThat(history.get(history.size() - 1).get("Result").asInt()).isEqualTo(56);
        assertThat(ok("get-history", "--id", "fan-7").out()).contains("TaskCompleted", "FunctionName=E2_ProcessWorkItem");

        JsonNode payload = json(ok("start-new", "--function-name", "E1_HelloSequence", "--json"));
        assertThat(payload.get("statusQueryGetUri").asText()).contains("/instances/" + payload.get("id").asText(), "taskHub=" + hub);
    }

    @Test
    void getInstances_pagesAndFilters() {
        for (int i = 0; i < 5; i++) {
            ok("start-new", "--function-name", "E1_HelloSequence", "--id", "list-" + i);
        }
        for (int i = 0; i < 5; i++) {
            client.waitForInstanceCompletion("list-" + i, Duration.ofSeconds(10));
        }
        ok("start-new", "--function-name", "E3_Counter", "--id", "list-counter", "--input", "0");
        awaitStatus(client, "list-counter", RuntimeStatus.RUNNING);

        Set<String> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            List<String> args = new ArrayList<>(List.of("get-instances", "--top", "2", "--json", "--runtime-status", "Completed"));
            if (token != null) {
                args.add("--continuation-token");
                args.add(token);
            }
            JsonNode page = json(ok(args.toArray(String[]::new)));
            page.get("instances").forEach(n -> assertThat(seen.add(n.get("instanceId").asText())).isTrue());
            token = page.get("continuationToken").isNull() ? null : page.get("continuationToken").asText();
            pages++;
        } while (token != null && pages < 10);
        assertThat(seen).containsExactlyInAnyOrder("list-0", "list-1", "list-2", "list-3", "list-4");
        assertThat(pages).isGreaterThanOrEqualTo(3);

        CliRunner.Result text = ok("get-instances", "--runtime-status", "Running", "Pending");
        assertThat(text.out()).contains("INSTANCE ID", "list-counter").doesNotContain("list-0");
        assertThat(ok("get-instances", "--top", "2").out()).contains("--continuation-token");
        assertThat(ok("get-instances", "--created-after", "2999-01-01").out()).contains("No instances match.");

        // stats: the same filters, counted per status and per name
        CliRunner.Result stats = ok("stats", "--instance-id-prefix", "list-");
        assertThat(stats.out()).startsWith("Health: Up").containsPattern("Completed\\s+5").containsPattern("Running\\s+1").containsPattern("Total\\s+6")
                .containsPattern("E1_HelloSequence\\s+Completed\\s+5").containsPattern("E3_Counter\\s+Running\\s+1");
        JsonNode counts = json(ok("stats", "--json", "--runtime-status", "Completed", "--instance-id-prefix", "list-"));
        assertThat(counts.get("total").asLong()).isEqualTo(5);
        assertThat(counts.get("health").get("status").asText()).isEqualTo("Up");
        assertThat(counts.get("byName").get("E1_HelloSequence").get("Completed").asLong()).isEqualTo(5);
        assertThat(ok("stats", "--created-after", "2999-01-01").out()).contains("No instances match.");
        assertThat(refused("stats", "--created-after", "last tuesday").err()).contains("--created-after");
    }

    @Test
    void retention_setListApplyRemove_andClearErrorsForBadInput() {
        assertThat(ok("retention", "list").out()).contains("No retention policies");
        assertThat(ok("retention", "set", "--status", "Completed", "--older-than", "7d").out())
                .contains("Retention policy set on task hub '" + hub + "': Completed after 7d.");
        ok("retention", "set", "--runtime-status", "failed", "--older-than", "P30D", "--name", "E1_HelloSequence");
        assertThat(ok("retention", "list").out()).containsPattern("Completed\\s+\\(every name\\)\\s+7d")
                .containsPattern("Failed\\s+E1_HelloSequence\\s+30d");
        JsonNode policies = json(ok("retention", "list", "--json")).get("policies");
        assertThat(policies).hasSize(2);
        assertThat(policies.get(0).get("olderThan").asText()).isEqualTo("P7D");
        assertThat(policies.get(1).get("name").asText()).isEqualTo("E1_HelloSequence");

        // a pass now purges what finished longer ago than the policy says, and only that
        ok("start-new", "--function-name", "E1_HelloSequence", "--id", "ret-done");
        awaitStatus(client, "ret-done", RuntimeStatus.COMPLETED);
        assertThat(ok("retention", "apply").out()).containsPattern("Completed after 7d\\s+0").contains("Purged 0 instance(s)");
        ok("retention", "set", "--status", "Completed", "--older-than", "1ms");
        JsonNode report = json(ok("retention", "apply", "--json", "--limit-per-policy", "10"));
        assertThat(report.get("instancesDeleted").asLong()).isEqualTo(1);
        assertThat(report.get("policies").get(0).get("instancesDeleted").asLong()).isEqualTo(1);
        assertThat(client.getInstanceMetadata("ret-done", false)).isEmpty();

        assertThat(ok("retention", "remove", "--status", "Completed").out()).contains("Removed the retention policy for Completed");
        CliRunner.Result gone = refused("retention", "remove", "--status", "Completed");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).contains("has no retention policy for Completed");
        assertThat(json(ok("retention", "remove", "--status", "Failed", "--name", "E1_HelloSequence", "--json")).get("policies")).isEmpty();

        Map<List<String>, String> bad = Map.of(
                List.of("--status", "Running", "--older-than", "7d"), "only finished instances are purged",
                List.of("--status", "Sleeping", "--older-than", "7d"), "Unknown runtime status 'Sleeping'",
                List.of("--status", "Completed", "--older-than=-5d"), "is not an age",
                List.of("--status", "Completed", "--older-than", "0d"), "must be a positive age",
                List.of("--status", "Completed", "--older-than", "soon"), "is not an age",
                List.of("--status", "Completed", "--older-than", "7d", "--name", " "), "must not be blank");
        bad.forEach((args, message) -> {
            List<String> all = new ArrayList<>(List.of("retention", "set"));
            all.addAll(args);
            CliRunner.Result r = refused(all.toArray(String[]::new));
            assertThat(r.exitCode()).as("%s", args).isEqualTo(1);
            assertThat(r.err()).as("%s", args).contains(message);
        });
        assertThat(refused("retention", "set", "--status", "Completed").exitCode()).as("--older-than missing").isEqualTo(2);
        assertThat(refused("retention").exitCode()).as("no subcommand").isEqualTo(2);
        assertThat(refused("retention", "apply", "--limit-per-policy", "0").err()).contains("--limit-per-policy");
        assertThat(client.getRetentionPolicies()).isEmpty();
    }

    @Test
    void raiseEvent_terminate_suspendResume_rewind_restart() {
        ok("start-new", "--function-name", "E3_Counter", "--id", "ctr", "--input", "0");
        awaitStatus(client, "ctr", RuntimeStatus.RUNNING);
        ok("raise-event", "--id", "ctr", "--event-name", "operation", "--event-data", "\"add\"");
        awaitCustomStatus("ctr", "1");
        ok("raise-event", "--id", "ctr", "--event-name", "operation", "--event-data", "stop");
        awaitStatus(client, "ctr", RuntimeStatus.COMPLETED);
        assertThat(client.getInstanceMetadata("ctr", true).orElseThrow().serializedOutput()).isEqualTo("1");

        ok("start-new", "--function-name", "E4_HumanApproval", "--id", "appr", "--input", "600");
        awaitStatus(client, "appr", RuntimeStatus.RUNNING);
        assertThat(ok("raise-event", "--id", "appr").out()).contains("Event_");
        ok("suspend", "--id", "appr", "--reason", "holiday");
        awaitStatus(client, "appr", RuntimeStatus.SUSPENDED);
        ok("resume", "--id", "appr");
        awaitStatus(client, "appr", RuntimeStatus.RUNNING);
        JsonNode terminated = json(ok("terminate", "--id", "appr", "--reason", "no longer needed", "--json"));
        assertThat(terminated.get("accepted").asBoolean()).isTrue();
        awaitStatus(client, "appr", RuntimeStatus.TERMINATED);
        assertThat(client.getInstanceMetadata("appr", true).orElseThrow().serializedOutput()).contains("no longer needed");

        CliRunner.Result again = refused("terminate", "--id", "appr");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("Terminated").doesNotContain("\tat ");

        FAIL_NEXT.set(true);
        ok("start-new", "--function-name", "FailOnce", "--id", "flaky");
        awaitStatus(client, "flaky", RuntimeStatus.FAILED);
        ok("rewind", "--id", "flaky");
        awaitStatus(client, "flaky", RuntimeStatus.COMPLETED);
        assertThat(refused("rewind", "--id", "flaky").exitCode()).isEqualTo(1);

        String restarted = ok("restart", "--id", "ctr").out();
        assertThat(restarted).contains("Restarted instance ctr as ");
        ok("restart", "--id", "flaky", "--no-new-instance-id");
        awaitStatus(client, "flaky", RuntimeStatus.COMPLETED);
    }

    @Test
    void purgeInstance_purgeHistory_deleteTaskHub() {
        for (String id : List.of("p1", "p2", "p3")) {
            ok("start-new", "--function-name", "E1_HelloSequence", "--id", id);
            client.waitForInstanceCompletion(id, Duration.ofSeconds(10));
        }
        ok("start-new", "--function-name", "E3_Counter", "--id", "p-running");
        awaitStatus(client, "p-running", RuntimeStatus.RUNNING);

        assertThat(refused("purge-instance", "--id", "p-running").exitCode()).isEqualTo(1);
        assertThat(ok("purge-instance", "--id", "p1").out()).contains("Purged instance p1");
        assertThat(client.getInstanceMetadata("p1", false)).isEmpty();
        assertThat(refused("purge-instance", "--id", "p1").exitCode()).isEqualTo(1);

        JsonNode purged = json(ok("purge-history", "--created-after", "2000-01-01T00:00:00Z", "--runtime-status", "Completed", "--json"));
        assertThat(purged.get("instancesDeleted").asLong()).isEqualTo(2);
        assertThat(ok("purge-history").out()).contains("Purged 0 instance(s)");
        assertThat(client.getInstanceMetadata("p-running", false)).isPresent();

        assertThat(ok("delete-task-hub").out()).contains("Deleted task hub '" + hub + "'");
        assertThat(client.getInstanceMetadata("p-running", false)).isEmpty();
    }

    @Test
    void refusedOperations_exit1_withOneLineOnStderr() {
        CliRunner.Result unknownId = refused("get-runtime-status", "--id", "does-not-exist");
        assertThat(unknownId.exitCode()).isEqualTo(1);
        assertThat(unknownId.err()).contains("Error: ", "does-not-exist").doesNotContain("Exception", "\tat ");
        assertThat(unknownId.err().lines().filter(l -> l.startsWith("Error")).count()).isEqualTo(1);

        assertThat(refused("get-history", "--id", "does-not-exist").exitCode()).isEqualTo(1);
        assertThat(refused("raise-event", "--id", "does-not-exist").exitCode()).isEqualTo(1);
        CliRunner.Result badDate = refused("get-instances", "--created-after", "last tuesday");
        assertThat(badDate.exitCode()).isEqualTo(1);
        assertThat(badDate.err()).contains("--created-after", "ISO 8601");
        CliRunner.Result badStatus = refused("get-instances", "--runtime-status", "Sleeping");
        assertThat(badStatus.exitCode()).isEqualTo(1);
        assertThat(badStatus.err()).contains("Sleeping");
        assertThat(refused("get-instances", "--top", "0").exitCode()).isEqualTo(1);
        assertThat(refused("get-instances", "--continuation-token", "tampered").exitCode()).isEqualTo(1);
        CliRunner.Result badJson = refused("start-new", "--function-name", "E1_HelloSequence", "--input", "{broken");
        assertThat(badJson.exitCode()).isEqualTo(1);
        assertThat(badJson.err()).contains("--input");
        CliRunner.Result missingFile = refused("start-new", "--function-name", "E1_HelloSequence", "--input", "@nope.json");
        assertThat(missingFile.exitCode()).isEqualTo(1);
        assertThat(missingFile.err()).contains("nope.json");
        assertThat(refused("purge-history", "--runtime-status", "Running").exitCode()).isEqualTo(1);
        assertThat(refused("get-instances", "--provider", "nosuchprovider").err()).contains("Available:");
    }

    @Test
    void booleanFlags_takeTrueOrFalse_orStandAlone() {
        client.scheduleNewOrchestrationInstance("E2_FanOutFanIn", 3, dev.taskhub.client.NewOrchestrationOptions.withInstanceId("flags-1"));
        client.waitForInstanceCompletion("flags-1", Duration.ofSeconds(10));
        // func durable's own example: --show-input true --show-output true
        CliRunner.Result verbatim = ok("get-runtime-status", "--id", "flags-1", "--show-input", "true", "--show-output", "true");
        assertThat(verbatim.out()).contains("Input:", "Output:", "12");
        assertThat(ok("get-runtime-status", "--id", "flags-1", "--show-input", "--show-output").out()).contains("Input:", "Output:");
        CliRunner.Result off = ok("get-runtime-status", "--id", "flags-1", "--show-input", "false", "--show-output", "FALSE");
        assertThat(off.out()).contains("Completed").doesNotContain("Input:", "Output:");
        JsonNode mixed = json(ok("get-runtime-status", "--id", "flags-1", "--show-input=false", "--show-output=true", "--json", "true"));
        assertThat(mixed.has("input")).isFalse();
        assertThat(mixed.get("output").asInt()).isEqualTo(12);
        assertThat(ok("get-runtime-status", "--id", "flags-1", "--json", "false").out()).contains("Runtime status:");
        JsonNode page = json(ok("get-instances", "--show-input", "true", "--json"));
        assertThat(page.get("instances").get(0).get("input").asInt()).isEqualTo(3);
        assertThat(json(ok("get-instances", "--show-input", "false", "--json")).get("instances").get(0).get("input").isNull()).isTrue();
        // a flag followed by another option or a value that is not a boolean
        assertThat(json(ok("get-instances", "--json", "--top", "5")).get("instances")).hasSize(1);
        CliRunner.Result notBoolean = refused("get-runtime-status", "--id", "flags-1", "--show-input", "yes please");
        assertThat(notBoolean.exitCode()).isEqualTo(2);
    }

    @Test
    void storageFailure_printsAdviceWithoutStorageDetails_unlessVerbose() {
        // a real PostgreSQL connection string whose server does not answer (nothing listens on port 1)
        String connection = "jdbc:postgresql://127.0.0.1:1/leakcheckdb?user=leakcheckuser";
        CliRunner failing = new CliRunner(Map.of("MyStorage", connection));
        CliRunner.Result r = failing.run("get-instances", "--connection-string-setting", "MyStorage", "--task-hub-name", hub);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("Error: ", "storage", "MyStorage", "--verbose");
        for (String secret : List.of("jdbc", "127.0.0.1", "leakcheckdb", "leakcheckuser", "postgres", "SQLState", "PSQLException",
                "Hikari", "refused", "\tat ")) {
            assertThat(r.err().toLowerCase()).as("stderr must not contain '%s': %s", secret, r.err()).doesNotContain(secret.toLowerCase());
        }
        CliRunner.Result verbose = failing.run("get-instances", "--connection-string-setting", "MyStorage", "--task-hub-name", hub,
                "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(1);
        assertThat(verbose.err()).contains("127.0.0.1:1", "leakcheckdb").doesNotContain("\tat ");
    }

    @Test
    void usageErrors_exit2() {
        CliRunner.Result unknownCommand = cli.run("frobnicate");
        assertThat(unknownCommand.exitCode()).isEqualTo(2);
        assertThat(unknownCommand.err()).contains("frobnicate");
        assertThat(cli.run("get-instances", "--no-such-flag").exitCode()).isEqualTo(2);
        assertThat(cli.run("get-runtime-status").exitCode()).isEqualTo(2);
        assertThat(cli.run().exitCode()).isEqualTo(2);
        CliRunner.Result help = cli.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("start-new", "get-runtime-status", "get-history", "get-instances", "terminate",
                "raise-event", "rewind", "purge-history", "delete-task-hub", "suspend", "resume", "restart",
                "purge-instance", "serve", "demo");
        assertThat(cli.run("get-instances", "--help").out()).contains("--top", "default: 10", "--connection-string-setting",
                "AzureWebJobsStorage", "--task-hub-name", "DurableFunctionsHub");
    }

    @Test
    void serve_readOnlyKey_thatCannotWork_isRefusedWithAClearMessage() {
        CliRunner.Result noAuth = cli.run("serve", "--no-auth", "--read-only-key", "viewer", "--port", "0");
        assertThat(noAuth.exitCode()).isEqualTo(1);
        assertThat(noAuth.err()).contains("--read-only-key needs authentication").doesNotContain("\tat ");
        CliRunner.Result same = cli.run("serve", "--key", "same", "--read-only-key", "same", "--port", "0",
                "--task-hub-name", "ServeKeys" + java.util.UUID.randomUUID().toString().substring(0, 8));
        assertThat(same.exitCode()).isEqualTo(1);
        assertThat(same.err()).contains("must differ from the system key").doesNotContain("\tat ");
    }

    @Test
    void demo_runsEverySampleAndExits0() {
        CliRunner.Result r = cli.run("demo");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]", "Approved",
                "Escalated: no approval in time", "Job job-42 completed after 3 checks", "All 6 samples completed as expected");
    }
}

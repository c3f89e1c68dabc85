package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.taskhub.cli.CliRunner.awaitStatus;
import static dev.taskhub.cli.CliRunner.json;
import static org.assertj.core.api.Assertions.assertThat;

/** The command line with {@code --url}: every subcommand through a real HTTP management server. */
class CliRemoteTest {
    private static final String KEY = "remote-key-" + UUID.randomUUID();

    private final CliRunner cli = new CliRunner(Map.of());
    private TestHub fixture;
    private TaskHubClient client;
    private ManagementServer server;
    private String hub;

    @BeforeEach
    void start() {
        fixture = TestHub.start("Remote");
        hub = fixture.name;
        client = fixture.client;
        server = fixture.serve(KEY);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private CliRunner.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", server.baseUrl(), "--key", KEY));
        return cli.run(all.toArray(String[]::new));
    }

    private CliRunner.Result ok(String... args) {
        CliRunner.Result r = run(args);
        assertThat(r.exitCode()).as("%s: %s", List.of(args), r.err()).isZero();
        assertThat(r.err()).doesNotContain("lives only inside this process");
        return r;
    }

    @Test
    void everySubcommand_throughTheHttpApi() {
        JsonNode payload = json(ok("start-new", "--function-name", "E2_FanOutFanIn", "--input", "4", "--id", "r-fan", "--json"));
        assertThat(payload.get("id").asText()).isEqualTo("r-fan");
        awaitStatus(client, "r-fan", RuntimeStatus.COMPLETED);
        assertThat(ok("get-runtime-status", "--id", "r-fan", "--show-output").out()).contains("Completed", "Output:", "20");
        assertThat(json(ok("get-history", "--id", "r-fan", "--json")).get(0).get("EventType").asText()).isEqualTo("ExecutionStarted");

        for (int i = 0; i < 3; i++) {
            ok("start-new", "--function-name", "E1_HelloSequence", "--id", "r-page-" + i);
            awaitStatus(client, "r-page-" + i, RuntimeStatus.COMPLETED);
        }
        Set<String> seen = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            List<String> args = new ArrayList<>(List.of("get-instances", "--top", "2", "--json", "--runtime-status", "Completed"));
            if (token != null) {
                args.addAll(List.of("--continuation-token", token));
            }
            JsonNode page = json(ok(args.toArray(String[]::new)));
            page.get("instances").forEach(n -> assertThat(seen.add(n.get("instanceId").asText())).isTrue());
            token = page.get("continuationToken").isNull() ? null : page.get("continuationToken").asText();
            pages++;
        } while (token != null && pages < 10);
        assertThat(seen).containsExactlyInAnyOrder("r-fan", "r-page-0", "r-page-1", "r-page-2");

        ok("start-new", "--function-name", "E4_HumanApproval", "--id", "r-appr", "--input", "600");
        awaitStatus(client, "r-appr", RuntimeStatus.RUNNING);
        ok("suspend", "--id", "r-appr", "--reason", "wait");
        awaitStatus(client, "r-appr", RuntimeStatus.SUSPENDED);
        ok("resume", "--id", "r-appr", "--reason", "go on");
        awaitStatus(client, "r-appr", RuntimeStatus.RUNNING);
        ok("raise-event", "--id", "r-appr", "--event-name", "Approval", "--event-data", "true");
        awaitStatus(client, "r-appr", RuntimeStatus.COMPLETED);
        assertThat(client.getInstanceMetadata("r-appr", true).orElseThrow().serializedOutput()).isEqualTo("\"Approved\"");

        ok("start-new", "--function-name", "E3_Counter", "--id", "r-ctr");
        awaitStatus(client, "r-ctr", RuntimeStatus.RUNNING);
        ok("terminate", "--id", "r-ctr", "--reason", "done with it");
        awaitStatus(client, "r-ctr", RuntimeStatus.TERMINATED);
        CliRunner.Result again = run("terminate", "--id", "r-ctr");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("Terminated");
        assertThat(run("rewind", "--id", "r-ctr").exitCode()).isEqualTo(1);

        assertThat(ok("restart", "--id", "r-page-0").out()).contains("Restarted instance r-page-0 as ");
        assertThat(ok("purge-instance", "--id", "r-page-1").out()).contains("Purged instance r-page-1");
        assertThat(run("purge-instance", "--id", "r-page-1").exitCode()).isEqualTo(1);
        assertThat(json(ok("purge-history", "--runtime-status", "Terminated", "--json")).get("instancesDeleted").asLong()).isEqualTo(1);
        assertThat(ok("purge-history", "--created-after", "2999-01-01").out()).contains("Purged 0 instance(s)");

        assertThat(run("delete-task-hub").exitCode()).isEqualTo(1);
        assertThat(ok("delete-task-hub", "--task-hub-name", hub).out()).contains("Deleted task hub");
        assertThat(client.getInstanceMetadata("r-fan", false)).isEmpty();
    }

    @Test
    void refusals_unknownIdWrongKeyWrongHubAndNoServer() throws IOException {
        CliRunner.Result unknown = run("get-runtime-status", "--id", "nope");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("nope");
        CliRunner.Result wrongKey = cli.run("get-instances", "--url", server.baseUrl(), "--key", "wrong");
        assertThat(wrongKey.exitCode()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("401", "--key");
        CliRunner.Result otherHub = run("get-instances", "--task-hub-name", "SomeOtherHub");
        assertThat(otherHub.exitCode()).isEqualTo(1);
        assertThat(otherHub.err()).contains("SomeOtherHub");
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        CliRunner.Result down = cli.run("get-instances", "--url", "http://127.0.0.1:" + freePort);
        assertThat(down.exitCode()).isEqualTo(1);
        assertThat(down.err()).contains("Cannot connect");
        assertThat(cli.run("get-instances", "--url", "ftp://x").exitCode()).isEqualTo(1);
    }
}

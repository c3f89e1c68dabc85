package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.taskhub.cli.CliRunner.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code taskhub jobs}: bulk jobs from the command line, on the hub's storage and through the HTTP API ({@code --url}). */
class CliJobsTest {
    private static final String KEY = "jobs-key-" + UUID.randomUUID();

    private final CliRunner cli = new CliRunner(Map.of());
    private TestHub fixture;
    private TaskHubClient client;
    private ManagementServer server;

    @BeforeEach
    void start() {
        fixture = TestHub.start("Jobs", b -> b.addOrchestrator("Wait", ctx -> ctx.waitForExternalEvent("go", String.class).await()));
        client = fixture.client;
        JobCommands.pollInterval = Duration.ofMillis(50);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private CliRunner.Result local(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--task-hub-name", fixture.name));
        return cli.run(all.toArray(String[]::new));
    }

    private CliRunner.Result remote(String... args) {
        if (server == null) {
            server = fixture.serve(KEY);
        }
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", server.baseUrl(), "--key", KEY));
        return cli.run(all.toArray(String[]::new));
    }

    private List<String> startWaiting(String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(client.scheduleNewOrchestrationInstance("Wait", null, NewOrchestrationOptions.withInstanceId(prefix + i)));
        }
        return ids;
    }


    @Test
    void dryRun_thenStartAndWait_listShow_andAFinishedJobCannotBeCanceled() {
        List<String> ids = startWaiting("w-", 5);

        CliRunner.Result dry = local("jobs", "start", "raise-event", "--name", "Wait", "--event-name", "go", "--event-data", "\"x\"", "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("5 instance(s) match", "Nothing was changed");
        assertThat(client.getInstanceMetadata("w-0", false).orElseThrow().runtimeStatus()).isNotEqualTo(RuntimeStatus.COMPLETED);

        CliRunner.Result run = local("jobs", "start", "raise-event", "--name", "Wait", "--event-name", "go", "--event-data", "\"x\"",
                "--page-size", "2", "--job-id", "j1", "--wait");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Job:        j1", "State:      COMPLETED", "Matched:    5 of 5", "Done:       5", "Failed:     0");
        for (String id : ids) {
            assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(10)).serializedOutput()).isEqualTo("\"x\"");
        }

        CliRunner.Result list = local("jobs", "list");
        assertThat(list.out()).contains("j1", "raise-event", "COMPLETED");
        JsonNode shown = json(local("jobs", "show", "j1", "--json"));
        assertThat(shown.get("state").asText()).isEqualTo("Completed");
        assertThat(shown.get("progress").get("done").asLong()).isEqualTo(5);

        CliRunner.Result cancel = local("jobs", "cancel", "j1");
        assertThat(cancel.exitCode()).isEqualTo(1);
        assertThat(cancel.err()).contains("j1").doesNotContain("Exception");
    }

    @Test
    void aJobThatSkipsInstances_saysWhich_andWaitExitsZeroOnlyWhenNothingFailed() {
        startWaiting("s-", 2);
        String done = client.scheduleNewOrchestrationInstance("Wait", null, NewOrchestrationOptions.withInstanceId("s-done"));
        client.raiseEvent(done, "go", "y");
        client.waitForInstanceCompletion(done, Duration.ofSeconds(10));

        CliRunner.Result run = local("jobs", "start", "purge", "--instance-id-prefix", "s-", "--wait");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Done:       1", "Skipped:    2", "only finished instances are purged");
        assertThat(client.getInstanceMetadata("s-done", false)).isEmpty();
    }

    @Test
    void badInput_isRefusedWithAClearMessage() {
        CliRunner.Result unknown = local("jobs", "start", "explode");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("Unknown bulk operation 'explode'", "terminate");
        CliRunner.Result badJson = local("jobs", "start", "raise-event", "--event-name", "go", "--event-data", "{bad");
        assertThat(badJson.exitCode()).isEqualTo(1);
        assertThat(badJson.err()).contains("JSON");
        CliRunner.Result noEvent = local("jobs", "start", "raise-event");
        assertThat(noEvent.exitCode()).isEqualTo(1);
        assertThat(noEvent.err()).contains("event's name");
        CliRunner.Result badDate = local("jobs", "start", "purge", "--created-after", "yesterday");
        assertThat(badDate.exitCode()).isEqualTo(1);
        assertThat(badDate.err()).contains("--created-after", "ISO 8601");
        CliRunner.Result missing = local("jobs", "show", "nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("There is no bulk job 'nope'");
        assertThat(local("jobs").exitCode()).isEqualTo(2);
    }

    @Test
    void throughTheHttpApi_theSameCommandsWork() {
        List<String> ids = startWaiting("r-", 3);
        CliRunner.Result dry = remote("jobs", "start", "terminate", "--name", "Wait", "--dry-run", "--json");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(json(dry).get("matched").asLong()).isEqualTo(3);

        CliRunner.Result run = remote("jobs", "start", "terminate", "--name", "Wait", "--reason", "bulk", "--job-id", "r1", "--wait", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(json(run).get("progress").get("done").asLong()).isEqualTo(3);
        for (String id : ids) {
            assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(10)).runtimeStatus()).isEqualTo(RuntimeStatus.TERMINATED);
        }
        assertThat(remote("jobs", "list").out()).contains("r1", "terminate");
        CliRunner.Result missing = remote("jobs", "show", "nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope");
        CliRunner.Result cancel = remote("jobs", "cancel", "r1");
        assertThat(cancel.exitCode()).isEqualTo(1);
        assertThat(cancel.err()).contains("finished");
    }
}

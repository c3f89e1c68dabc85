package dev.taskhub.cli;

import dev.taskhub.client.TaskHubClient;
import dev.taskhub.samples.HelloSequence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code taskhub replay} run in-process over histories of the samples (the orchestrators on the class path): exported
 * with {@code get-history --json} to a file, and read from the task hub.
 */
class CliReplayTest {
    private final CliRunner cli = new CliRunner(Map.of());
    private TestHub fixture;
    private String hub;
    private TaskHubClient client;

    @BeforeEach
    void start() {
        fixture = TestHub.start("Replay");
        hub = fixture.name;
        client = fixture.client;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private String completedHello() {
        String id = client.scheduleNewOrchestrationInstance(HelloSequence.ORCHESTRATOR);
        client.waitForInstanceCompletion(id, Duration.ofSeconds(30));
        return id;
    }

    @Test
    void replayOfExportedFiles_exits0WhenTheCodeReplaysThem_and3NamingTheChange(@TempDir Path dir) throws IOException {
        String id = completedHello();
        CliRunner.Result exported = cli.run("get-history", "--id", id, "--json", "--task-hub-name", hub);
        assertThat(exported.exitCode()).isEqualTo(0);
        Path file = Files.writeString(dir.resolve(id + ".json"), exported.out());

        CliRunner.Result clean = cli.run("replay", "--file", file.toString());
        assertThat(clean.exitCode()).as(clean.err()).isEqualTo(0);
        assertThat(clean.out()).contains("OK                 " + id + " (E1_HelloSequence)").contains("Replayed 1 history: all deterministic.");

        // The history of an older version that called 'E1_SayHi' second: the current code calls 'E1_SayHello' there.
        String older = exported.out().replaceFirst("(?s)(\"FunctionName\" : \"E1_SayHello\".*?)\"FunctionName\" : \"E1_SayHello\"",
                "$1\"FunctionName\" : \"E1_SayHi\"");
        assertThat(older).contains("E1_SayHi");
        Path changed = Files.writeString(dir.resolve("older.json"), older);
        CliRunner.Result found = cli.run("replay", "--file", file.toString(), changed.toString());
        assertThat(found.exitCode()).isEqualTo(ReplayCommand.NON_DETERMINISTIC);
        assertThat(found.out()).contains("NON-DETERMINISTIC  older (E1_HelloSequence) at event 2: the history records a call of "
                + "activity 'E1_SayHi' (#1), but the code now calls activity 'E1_SayHello' (#1)")
                .contains("Replayed 2 histories: 1 non-deterministic.");

        CliRunner.Result json = cli.run("replay", "--file", changed.toString(), "--json");
        assertThat(json.out()).contains("\"deterministic\" : false").contains("\"position\" : 2");
    }

    @Test
    void replayFromTheHub_byIdAndByFilter() {
        String a = completedHello();
        String b = completedHello();

        CliRunner.Result byId = cli.run("replay", "--id", a, "--task-hub-name", hub);
        assertThat(byId.exitCode()).as(byId.err()).isEqualTo(0);
        assertThat(byId.out()).contains("OK                 " + a);

        CliRunner.Result all = cli.run("replay", "--runtime-status", "Completed", "--task-hub-name", hub);
        assertThat(all.exitCode()).isEqualTo(0);
        assertThat(all.out()).contains(a).contains(b).contains("Replayed 2 histories: all deterministic.");
    }

    @Test
    void badInput_exits1Or2_withOneLine() {
        CliRunner.Result missing = cli.run("replay", "--file", "no/such/file.json");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("No history file at no/such/file.json");
        assertThat(cli.run("replay", "--id", "nope", "--task-hub-name", hub).exitCode()).isEqualTo(1);
        assertThat(cli.run("replay", "--no-such-flag").exitCode()).isEqualTo(2);
        assertThat(cli.run("replay", "--help").out()).contains("non-deterministic").contains("--file");
    }
}

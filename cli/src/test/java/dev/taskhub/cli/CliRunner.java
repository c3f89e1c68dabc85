package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.TaskHubConfiguration;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;

/** Runs the real command line in this JVM and captures what it prints. */
final class CliRunner {
    record Result(int exitCode, String out, String err) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the command printed, read as JSON (its {@code --json} output). */
    static JsonNode json(Result r) {
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.out(), e);
        }
    }

    /** Waits up to 30 s until the instance has the status. */
    static void awaitStatus(TaskHubClient client, String id, RuntimeStatus status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (client.getInstanceMetadata(id, false).map(m -> m.runtimeStatus() == status).orElse(false)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(id + " did not reach " + status + ": " + client.getInstanceMetadata(id, false));
    }

    private final CliContext context;

    CliRunner(Map<String, String> settings) {
        this.context = new CliContext(() -> TaskHubConfiguration.of(settings), Map.of());
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = TaskhubCli.newCommandLine(context);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}

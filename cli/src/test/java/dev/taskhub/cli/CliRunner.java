package dev.taskhub.cli;

import dev.taskhub.config.TaskHubConfiguration;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the real command line in this JVM and captures what it prints. */
final class CliRunner {
    record Result(int exitCode, String out, String err) {}

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

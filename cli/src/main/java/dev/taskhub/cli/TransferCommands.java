package dev.taskhub.cli;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.transfer.TransferWire;
import dev.taskhub.transfer.ExportSummary;
import dev.taskhub.transfer.ImportSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/** {@code export} and {@code import}: move instances with their full history between task hubs (a Taskhub extension). */
final class TransferCommands {
    private TransferCommands() {}

    @Command(name = "export", description = "Writes the instances that match the filters, with their full history, as JSON Lines "
            + "(one instance per line) to stdout or --output, for 'taskhub import' into another task hub (a Taskhub extension).")
    static final class Export extends BaseCommand {
        @Mixin
        InstanceFilterOptions filters;

        @Option(names = "--instance-id-prefix", paramLabel = "<prefix>", description = "Only instances whose id starts with this.")
        String prefix;

        @Option(names = "--output", paramLabel = "<file>", description = "Write to this file instead of stdout (replaced if it exists).")
        Path output;

        @Override
        void run(Hub hub) {
            var query = filters.query().instanceIdPrefix(prefix).build();
            ExportSummary summary;
            if (output == null) {
                // the data goes to stdout, so the summary goes to stderr
                summary = hub.exportInstances(query, out(), progress(err(), "Exported", "instance(s)"));
                report(err(), summary, hub.taskHubName());
            } else {
                try (Writer file = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                    summary = hub.exportInstances(query, file, progress(err(), "Exported", "instance(s)"));
                } catch (IOException e) {
                    throw new InvalidRequestException("Cannot write '" + output + "': " + e.getMessage()
                            + ". Check the path and that you may write there.");
                }
                report(out(), summary, hub.taskHubName());
            }
        }

        private void report(PrintWriter to, ExportSummary summary, String hubName) {
            if (json()) {
                to.println(WireFormat.writePretty(TransferWire.exportSummary(summary)));
            } else {
                to.println("Exported " + summary.exported() + " instance(s) from task hub '" + hubName + "'"
                        + (output == null ? "." : " to " + output + "."));
            }
            to.flush();
        }
    }

    @Command(name = "import", description = "Imports instances with their full history from a file 'taskhub export' wrote "
            + "(or - for stdin); unfinished instances continue on this task hub (a Taskhub extension). Exit code 1 when a line failed.")
    static final class Import extends BaseCommand {
        @Parameters(index = "0", paramLabel = "FILE", description = "The JSON Lines file, or - for stdin.")
        String file;

        @Option(names = "--id-reuse-policy", paramLabel = "<policy>", defaultValue = "REPLACE_IF_FINISHED",
                description = "For ids that exist already: REPLACE_IF_FINISHED (default: keep unfinished ones, replace finished "
                        + "ones), FAIL_IF_EXISTS (keep every one), KEEP_IF_ACTIVE (as the default), ALWAYS_REPLACE. Kept ones are "
                        + "reported as skipped.")
        IdReusePolicy policy;

        private ImportSummary summary;

        @Override
        public Integer call() {
            int code = super.call();
            return summary != null && summary.hasFailures() ? 1 : code;
        }

        @Override
        void run(Hub hub) {
            try (InputStream in = open()) {
                summary = hub.importInstances(in, policy, progress(err(), "Read", "line(s)"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (json()) {
                printJson(TransferWire.importSummary(summary));
                return;
            }
            out().println("Imported " + summary.imported() + ", replaced " + summary.replaced() + ", skipped "
                    + summary.skipped() + ", failed " + summary.failed() + " (of " + summary.lines() + " instance line(s)) into task hub '"
                    + hub.taskHubName() + "'.");
            for (ImportSummary.Problem p : summary.problems()) {
                out().println("  line " + p.line() + (p.instanceId() == null ? "" : " (" + p.instanceId() + ")") + ": "
                        + p.outcome().name().toLowerCase(java.util.Locale.ROOT) + ": " + p.reason());
            }
            long listed = summary.problems().size();
            if (listed < summary.skipped() + summary.failed()) {
                out().println("  (" + (summary.skipped() + summary.failed() - listed) + " more not listed)");
            }
        }

        private InputStream open() {
            if (file.equals("-")) {
                return new FilterInputStream(System.in) {
                    @Override
                    public void close() {
                        // stdin stays open
                    }
                };
            }
            try {
                return new BufferedInputStream(Files.newInputStream(Path.of(file)));
            } catch (NoSuchFileException e) {
                throw new InvalidRequestException("Cannot read '" + file + "': no such file.");
            } catch (IOException e) {
                throw new InvalidRequestException("Cannot read '" + file + "': " + e.getMessage());
            }
        }
    }

    /** Progress on stderr ("\rExported 1200 instance(s)"), only when stderr is a terminal; else nothing. */
    static LongConsumer progress(PrintWriter err, String verb, String unit) {
        if (!Terminal.isStderr()) {
            return n -> { };
        }
        return n -> {
            err.print("\r" + verb + " " + n + " " + unit + "...");
            err.flush();
        };
    }
}

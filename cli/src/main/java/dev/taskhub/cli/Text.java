package dev.taskhub.cli;

import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.http.WireFormat;

import java.io.PrintWriter;
import java.time.Duration;

/** Readable (non-JSON) output. */
final class Text {
    private Text() {}

    static void status(PrintWriter out, OrchestrationMetadata m, boolean showInput, boolean showOutput) {
        row(out, "Instance id", m.instanceId());
        row(out, "Name", m.name());
        row(out, "Runtime status", m.runtimeStatus().wireName());
        row(out, "Created", WireFormat.time(m.createdAt()));
        row(out, "Last updated", WireFormat.time(m.lastUpdatedAt()));
        if (m.serializedCustomStatus() != null) {
            row(out, "Custom status", m.serializedCustomStatus());
        }
        if (showInput) {
            row(out, "Input", String.valueOf(m.serializedInput()));
        }
        if (showOutput) {
            row(out, "Output", String.valueOf(m.serializedOutput()));
        }
        m.failureDetails().ifPresent(f -> row(out, "Failure", f.errorType() + ": " + f.message()));
    }

    static void row(PrintWriter out, String label, String value) {
        out.printf("%-16s%s%n", label + ":", value);
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}

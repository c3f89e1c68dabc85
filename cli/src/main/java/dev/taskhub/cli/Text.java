package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.http.WireFormat;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** Readable (non-JSON) output, from the client's typed results. */
final class Text {
    private Text() {}

    static void status(PrintWriter out, OrchestrationMetadata m, boolean showInput, boolean showOutput) {
        row(out, "Instance id", m.instanceId());
        row(out, "Name", m.name());
        row(out, "Runtime status", m.runtimeStatus().wireName());
        row(out, "Created", WireFormat.time(m.createdAt()));
        row(out, "Last updated", WireFormat.time(m.lastUpdatedAt()));
        JsonNode customStatus = WireFormat.value(m.serializedCustomStatus());
        if (!customStatus.isNull()) {
            row(out, "Custom status", value(customStatus));
        }
        if (showInput) {
            row(out, "Input", value(WireFormat.value(m.serializedInput())));
        }
        if (showOutput) {
            row(out, "Output", value(WireFormat.output(m)));
        }
        m.failureDetails().ifPresent(failure -> row(out, "Failure", failure.errorType() + ": " + failure.message()));
    }

    /** A JSON value as compact JSON text; {@code null} when absent. */
    static String value(JsonNode node) {
        return node == null || node.isNull() ? "null" : node.toString();
    }

    static void row(PrintWriter out, String label, String value) {
        out.printf("%-16s%s%n", label + ":", value);
    }

    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}

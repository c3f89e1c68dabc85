package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** Readable (non-JSON) output, rendered from the wire format. */
final class Text {
    private Text() {}

    static void status(PrintWriter out, JsonNode s, boolean showInput, boolean showOutput) {
        row(out, "Instance id", s.path("instanceId").asText());
        row(out, "Name", s.path("name").asText());
        row(out, "Runtime status", s.path("runtimeStatus").asText());
        row(out, "Created", s.path("createdTime").asText());
        row(out, "Last updated", s.path("lastUpdatedTime").asText());
        if (s.hasNonNull("customStatus")) {
            row(out, "Custom status", value(s.get("customStatus")));
        }
        if (showInput) {
            row(out, "Input", value(s.get("input")));
        }
        if (showOutput) {
            row(out, "Output", value(s.get("output")));
        }
        JsonNode failure = s.get("failureDetails");
        if (failure != null && !failure.isNull()) {
            row(out, "Failure", failure.path("errorType").asText() + ": " + failure.path("message").asText());
        }
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

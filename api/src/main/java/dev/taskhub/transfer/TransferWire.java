package dev.taskhub.transfer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The JSON of export and import summaries, as the HTTP routes answer and {@code taskhub export/import --json} print:
 * {@code {"exported": n}} and {@code {"imported": n, "replaced": n, "skipped": n, "failed": n, "problems": [{"line": n,
 * "instanceId": "…", "outcome": "Skipped"|"Failed", "reason": "…"}]}}. Stateless and thread-safe.
 */
public final class TransferWire {
    private TransferWire() {}

    /** {@code {"exported": n}}. */
    public static ObjectNode exportSummary(ExportSummary summary) {
        return JsonNodeFactory.instance.objectNode().put("exported", summary.exported());
    }

    /** The import summary's JSON. */
    public static ObjectNode importSummary(ImportSummary summary) {
        ObjectNode node = JsonNodeFactory.instance.objectNode()
                .put("imported", summary.imported()).put("replaced", summary.replaced())
                .put("skipped", summary.skipped()).put("failed", summary.failed());
        ArrayNode problems = node.putArray("problems");
        for (ImportSummary.Problem p : summary.problems()) {
            problems.addObject().put("line", p.line()).put("instanceId", p.instanceId())
                    .put("outcome", p.outcome() == ImportSummary.Outcome.SKIPPED ? "Skipped" : "Failed")
                    .put("reason", p.reason());
        }
        return node;
    }

    /** The summary {@link #importSummary} wrote. */
    public static ImportSummary readImportSummary(JsonNode node) {
        List<ImportSummary.Problem> problems = new ArrayList<>();
        for (JsonNode p : node.path("problems")) {
            problems.add(new ImportSummary.Problem(p.path("line").asLong(), p.hasNonNull("instanceId") ? p.get("instanceId").asText() : null,
                    ImportSummary.Outcome.valueOf(p.path("outcome").asText().toUpperCase(Locale.ROOT)), p.path("reason").asText()));
        }
        return new ImportSummary(node.path("imported").asLong(), node.path("replaced").asLong(), node.path("skipped").asLong(),
                node.path("failed").asLong(), problems);
    }

    /** The summary {@link #exportSummary} wrote. */
    public static ExportSummary readExportSummary(JsonNode node) {
        return new ExportSummary(node.path("exported").asLong());
    }
}

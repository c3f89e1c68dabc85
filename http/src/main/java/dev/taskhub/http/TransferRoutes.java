package dev.taskhub.http;

import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.transfer.ImportSummary;
import dev.taskhub.transfer.InstanceTransfer;
import dev.taskhub.transfer.TransferWire;
import io.javalin.http.Context;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The export and import routes (Taskhub extensions): both stream, so a hub of any size moves through them in constant
 * memory. The import body is read line by line and is not held to the request size limit of the other routes (each
 * line is one instance, which may be large); like every route it needs the system key. Thread-safe.
 */
final class TransferRoutes {
    static final String CONTENT_TYPE = "application/x-ndjson; charset=utf-8";

    private final InstanceTransfer transfer;

    TransferRoutes(StorageProvider provider) {
        this.transfer = new InstanceTransfer(provider);
    }

    /**
     * Writes the matching instances as JSON Lines. A failure before the first line is an error response as usual; one
     * after it (the response is committed) ends the body early, so a client must compare the lines it got with what it
     * expected or export again.
     */
    void export(Context ctx, InstanceQuery query) {
        ctx.attribute(Json.WRITTEN, Boolean.TRUE);
        ctx.status(200).contentType(CONTENT_TYPE);
        try {
            Writer out = new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8));
            transfer.exportInstances(query, out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Writing the export response failed: " + e.getMessage(), e);
        }
    }

    /** Imports the JSON Lines of the body and answers the summary (200, also when lines were skipped or failed). */
    void importBody(Context ctx) {
        IdReusePolicy policy = policy(Params.text(ctx, "idReusePolicy"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(ctx.req().getInputStream(), StandardCharsets.UTF_8))) {
            ImportSummary summary = transfer.importInstances(in, policy);
            Json.write(ctx, 200, TransferWire.importSummary(summary));
        } catch (IOException e) {
            throw ApiException.badRequest("Could not read the request body: " + e.getMessage());
        }
    }

    private static IdReusePolicy policy(String text) {
        if (text == null || text.isBlank()) {
            return IdReusePolicy.REPLACE_IF_FINISHED;
        }
        try {
            return IdReusePolicy.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("Query parameter 'idReusePolicy': unknown policy '" + text + "'. Use one of: "
                    + String.join(", ", Arrays.stream(IdReusePolicy.values()).map(Enum::name).toList()) + ".");
        }
    }
}

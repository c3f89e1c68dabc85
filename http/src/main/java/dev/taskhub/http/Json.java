package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.client.http.WireFormat;
import io.javalin.http.Context;

/** Writes JSON responses; marks the response so the fallback error handlers leave it alone. */
final class Json {
    static final String WRITTEN = "taskhub.responseWritten";

    private Json() {}

    static void write(Context ctx, int status, JsonNode body) {
        ctx.status(status);
        ctx.attribute(WRITTEN, Boolean.TRUE);
        if (body == null) {
            ctx.result("");
        } else {
            ctx.contentType("application/json; charset=utf-8");
            ctx.result(WireFormat.write(body));
        }
    }

    static void error(Context ctx, int status, String message) {
        write(ctx, status, WireFormat.error(message));
    }
}

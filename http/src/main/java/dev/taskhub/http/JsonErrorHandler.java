package dev.taskhub.http;

import dev.taskhub.client.http.WireFormat;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Jetty's own errors (a request it rejects before routing, e.g. a malformed URL encoding) as the API's
 * {@code {"message": ...}} JSON instead of an HTML page. Never includes stack traces or causes.
 */
final class JsonErrorHandler extends ErrorHandler {
    JsonErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String reason = HttpStatus.getMessage(code);
        String text = "HTTP " + code + " " + reason + (message != null && !message.equals(reason) && message.length() < 200
                ? ": " + message : "") + ". Check the request line, its URL encoding and its headers.";
        byte[] body = WireFormat.write(WireFormat.error(text)).getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}

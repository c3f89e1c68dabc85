package dev.taskhub.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.InvalidRequestException;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reading fields of the HTTP management API's JSON: shared by {@link WireFormat} and the extensions' wire formats
 * (bulk jobs), so that every malformed answer or request is refused with the same kind of message.
 */
public final class WireFields {
    private WireFields() {}

    /** The field as text; null when absent or JSON null. */
    public static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The field as an ISO 8601 UTC time; null when absent or JSON null; refused when it is not a time. */
    public static Instant instant(JsonNode n, String field) {
        String t = text(n, field);
        if (t == null) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            throw malformed("'" + field + "'", "'" + t + "' is not an ISO 8601 UTC time");
        }
    }

    /** A JSON value as payload text (compact JSON); null for none or JSON null. */
    public static String json(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? null : WireFormat.write(node);
    }

    /** Refuses anything but a JSON object, naming {@code what} was expected. */
    public static void requireObject(JsonNode n, String what) {
        if (n == null || !n.isObject()) {
            throw malformed(what, "it is not a JSON object");
        }
    }

    /** The refusal of JSON that is not the wire format: what was expected and why this is not it. */
    public static InvalidRequestException malformed(String what, String why) {
        return new InvalidRequestException("Expected " + what + " of the HTTP management API's wire format, but " + why + ".");
    }
}

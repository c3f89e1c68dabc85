package dev.taskhub.convert;

import dev.taskhub.InvalidRequestException;

/**
 * A payload that is already JSON text: passed as an input, event or result, it is stored as is instead of being
 * serialised again. The text is checked to be one well-formed JSON value.
 */
public record RawJson(String json) {
    public RawJson {
        if (json == null || json.isBlank()) {
            throw new InvalidRequestException("A JSON payload must not be empty; use null for no payload.");
        }
        JsonDataConverter.DEFAULT.requireValidJson(json, "The payload");
    }
}

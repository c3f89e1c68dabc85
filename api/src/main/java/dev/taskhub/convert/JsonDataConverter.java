package dev.taskhub.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.taskhub.InvalidRequestException;

/**
 * The default {@link DataConverter}: payloads as JSON text, with one shared, thread-safe Jackson mapper (Java time
 * types as ISO-8601 text, unknown properties ignored). {@link RawJson} is written as its text.
 */
public final class JsonDataConverter implements DataConverter {
    /** The one instance. */
    public static final JsonDataConverter DEFAULT = new JsonDataConverter();

    private final ObjectMapper mapper = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonDataConverter() {}

    /** The configured mapper, for a provider that stores its own records next to history events. Do not reconfigure it. */
    public ObjectMapper mapper() {
        return mapper;
    }

    /** JSON text of the value, or null for null. */
    @Override
    public String serialize(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof RawJson raw) {
            return raw.json();
        }
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot serialise a " + value.getClass().getName() + " to JSON: "
                    + e.getOriginalMessage() + ". Use a record, a bean, a collection or a simple value.", e);
        }
    }

    /** The value read from JSON text; null for null or empty text, and for {@code Void}. */
    @Override
    public <T> T deserialize(String json, Class<T> type) {
        if (json == null || json.isEmpty() || type == Void.class || type == void.class) {
            return null;
        }
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot read JSON as " + type.getName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Checks that text is one well-formed JSON value; throws {@link InvalidRequestException} naming the problem. */
    public String requireValidJson(String json, String what) {
        try {
            mapper.readTree(json);
            return json;
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(what + " is not valid JSON: " + e.getOriginalMessage()
                    + ". Quote strings, e.g. \"Tokyo\".", e);
        }
    }
}

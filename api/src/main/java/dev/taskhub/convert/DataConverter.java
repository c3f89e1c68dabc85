package dev.taskhub.convert;

/**
 * Turns payloads (inputs, outputs, event data, custom status) into the text Taskhub stores and back. The default is
 * {@link JsonDataConverter#DEFAULT}. A {@link RawJson} value is stored as its text, unchanged.
 */
public interface DataConverter {
    /** The stored text of the value, or null for null. */
    String serialize(Object value);

    /** The value read from stored text; null for null or empty text, and for {@code Void}. */
    <T> T deserialize(String data, Class<T> type);
}

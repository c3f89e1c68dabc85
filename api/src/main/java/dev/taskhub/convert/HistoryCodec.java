package dev.taskhub.convert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.taskhub.FailureDetails;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.StorageException;
import dev.taskhub.history.HistoryEvent;

import java.util.List;

/**
 * The stored form of history events and failure details: the JSON every Taskhub provider writes. A provider encodes
 * with {@link #encode} and decodes with {@link #decode}, so that all providers store the same format and a change of
 * it is made in one place. Stateless and thread-safe.
 */
public final class HistoryCodec {
    private static final ObjectMapper MAPPER = JsonDataConverter.DEFAULT.mapper();
    private static final ObjectWriter EVENT_WRITER = MAPPER.writerFor(HistoryEvent.class);
    private static final ObjectWriter LIST_WRITER = MAPPER.writerFor(new TypeReference<List<HistoryEvent>>() { });
    private static final TypeReference<List<HistoryEvent>> LIST = new TypeReference<>() { };

    private HistoryCodec() {}

    /** The JSON of one event, including its {@code eventType}. */
    public static String encode(HistoryEvent event) {
        try {
            return EVENT_WRITER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot serialise history event " + event.eventType() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** The event stored as {@code json}; a {@link StorageException} if the text is not a stored event. */
    public static HistoryEvent decode(String json) {
        try {
            return MAPPER.readValue(json, HistoryEvent.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("A stored history event cannot be read (" + e.getOriginalMessage()
                    + "). It was probably written by an incompatible Taskhub version.", e);
        }
    }

    /** The JSON array of the events, in order. */
    public static String encodeAll(List<HistoryEvent> events) {
        try {
            return LIST_WRITER.writeValueAsString(events);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot serialise history events: " + e.getOriginalMessage(), e);
        }
    }

    /** The events stored as a JSON array by {@link #encodeAll}. */
    public static List<HistoryEvent> decodeAll(String json) {
        try {
            return MAPPER.readValue(json, LIST);
        } catch (JsonProcessingException e) {
            throw new StorageException("Stored history events cannot be read (" + e.getOriginalMessage()
                    + "). They were probably written by an incompatible Taskhub version.", e);
        }
    }

    /** The JSON of failure details, or null for null. */
    public static String encodeFailure(FailureDetails details) {
        if (details == null) {
            return null;
        }
        try {
            return MAPPER.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot serialise failure details: " + e.getOriginalMessage(), e);
        }
    }

    /** The failure details stored as {@code json}, or null for null. */
    public static FailureDetails decodeFailure(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readValue(json, FailureDetails.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("Stored failure details cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}

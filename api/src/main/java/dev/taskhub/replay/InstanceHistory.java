package dev.taskhub.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.history.HistoryEvent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One instance's history to replay: as read through the SPI ({@code StorageProvider.getHistory}, the engine's own
 * events), or from the JSON that {@code taskhub get-history --json} and the HTTP status query with
 * {@code showHistory=true} return (Durable Functions' format, which leaves out the episode markers and folds each call
 * into its outcome; {@link Replayer} rebuilds the episodes from the timestamps).
 *
 * @param instanceId the instance
 * @param events     the events, in order
 * @param exported   whether the events were read from exported JSON (positions then refer to that JSON array)
 */
public record InstanceHistory(String instanceId, List<HistoryEvent> events, boolean exported) {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    public InstanceHistory {
        Objects.requireNonNull(instanceId, "instanceId");
        events = List.copyOf(events);
    }

    /** A history as the SPI returns it. */
    public static InstanceHistory of(String instanceId, List<HistoryEvent> events) {
        return new InstanceHistory(instanceId, events, false);
    }

    /**
     * The histories in a JSON file: an array of history events ({@code taskhub get-history --json}; the instance id is
     * then {@code defaultInstanceId}, e.g. the file name), a status object with {@code instanceId} and
     * {@code historyEvents} (the HTTP status query with {@code showHistory=true}), or an array of such status objects.
     * Throws {@link InvalidRequestException} saying what is wrong with the file.
     */
    public static List<InstanceHistory> readJson(Path file, String defaultInstanceId) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidRequestException("Cannot read history file " + file + ": " + e.getMessage());
        }
        return parse(root, defaultInstanceId, file.toString());
    }

    /** As {@link #readJson(Path, String)}, from JSON text. */
    public static List<InstanceHistory> parseJson(String json, String defaultInstanceId) {
        try {
            return parse(MAPPER.readTree(json), defaultInstanceId, "the JSON");
        } catch (IOException e) {
            throw new InvalidRequestException("The history is not valid JSON: " + e.getMessage());
        }
    }

    private static List<InstanceHistory> parse(JsonNode root, String defaultInstanceId, String source) {
        List<InstanceHistory> histories = new ArrayList<>();
        if (root != null && root.isArray() && root.size() > 0 && root.get(0).has("historyEvents")) {
            root.forEach(status -> histories.add(fromStatus(status, source)));
        } else if (root != null && root.isObject() && root.has("historyEvents")) {
            histories.add(fromStatus(root, source));
        } else if (root != null && root.isArray()) {
            histories.add(new InstanceHistory(defaultInstanceId, read(root, source), true));
        } else {
            throw new InvalidRequestException(source + " holds no history: expected the array of 'taskhub get-history --json', "
                    + "or status objects with 'instanceId' and 'historyEvents' (HTTP status query with showHistory=true).");
        }
        return histories;
    }

    private static InstanceHistory fromStatus(JsonNode status, String source) {
        String id = status.path("instanceId").asText(null);
        if (id == null) {
            throw new InvalidRequestException("A status object in " + source + " has 'historyEvents' but no 'instanceId'.");
        }
        return new InstanceHistory(id, read(status.get("historyEvents"), source), true);
    }

    private static List<HistoryEvent> read(JsonNode array, String source) {
        try {
            return WireFormat.readHistory(array);
        } catch (RuntimeException e) {
            throw new InvalidRequestException("The history events in " + source + " cannot be read: " + e.getMessage());
        }
    }
}

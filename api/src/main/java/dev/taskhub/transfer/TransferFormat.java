package dev.taskhub.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.TaskhubException;
import dev.taskhub.convert.HistoryCodec;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.spi.InstanceState;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The export format, one JSON object per line (JSON Lines): {@code formatVersion}, the instance's stored fields, and
 * {@code history}, the engine's own events as {@link HistoryCodec} stores them. Payloads (input, output, custom
 * status) are JSON strings holding the stored text unchanged, since a user's converter need not write JSON.
 */
final class TransferFormat {
    /** The version this code writes and the only one it reads. */
    static final int VERSION = 1;

    private static final ObjectMapper MAPPER = JsonDataConverter.DEFAULT.mapper();

    private TransferFormat() {}

    /** The line (without its line break) for one instance. */
    static String encode(ExportedInstance instance) {
        InstanceState s = instance.state();
        ObjectNode line = MAPPER.createObjectNode();
        line.put("formatVersion", VERSION);
        line.put("instanceId", s.instanceId());
        line.put("name", s.name());
        line.put("version", s.version());
        line.put("executionId", s.executionId());
        line.put("runtimeStatus", s.status().wireName());
        line.put("input", s.input());
        line.put("output", s.output());
        line.put("customStatus", s.customStatus());
        line.set("failureDetails", s.failureDetails() == null ? null : MAPPER.valueToTree(s.failureDetails()));
        line.put("createdTime", WireFormat.time(s.createdAt()));
        line.put("lastUpdatedTime", WireFormat.time(s.lastUpdatedAt()));
        line.put("scheduledStartTime", WireFormat.time(s.scheduledStartAt()));
        line.put("parentInstanceId", s.parentInstanceId());
        line.set("history", read(HistoryCodec.encodeAll(instance.history())));
        return line.toString();
    }

    /**
     * The instance a line holds. A line that is not such an object is refused with a
     * {@link BadLineException} naming the line and what is wrong; a format version other than {@link #VERSION} with
     * an {@link InvalidRequestException} (the file needs another Taskhub version, so importing stops).
     */
    static ExportedInstance decode(String text, long lineNumber) {
        JsonNode line;
        try {
            line = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw bad(lineNumber, "it is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (line == null || !line.isObject()) {
            throw bad(lineNumber, "it is not a JSON object");
        }
        JsonNode version = line.get("formatVersion");
        if (version == null || !version.canConvertToInt()) {
            throw bad(lineNumber, "it has no numeric 'formatVersion'");
        }
        if (version.asInt() != VERSION) {
            throw new InvalidRequestException("Line " + lineNumber + " has export format version " + version.asInt()
                    + ", but this Taskhub reads version " + VERSION + " only. Import the file with the Taskhub version "
                    + "that exported it, or export it again with this one.");
        }
        try {
            JsonNode history = line.get("history");
            if (history == null || !history.isArray()) {
                throw bad(lineNumber, "it has no 'history' array");
            }
            InstanceState state = InstanceState.builder()
                    .instanceId(required(line, "instanceId", lineNumber))
                    .name(required(line, "name", lineNumber))
                    .version(text(line, "version"))
                    .executionId(text(line, "executionId"))
                    .status(RuntimeStatus.parse(required(line, "runtimeStatus", lineNumber)))
                    .input(text(line, "input"))
                    .output(text(line, "output"))
                    .customStatus(text(line, "customStatus"))
                    .failureDetails(HistoryCodec.decodeFailure(nullable(line.get("failureDetails"))))
                    .createdAt(Instant.parse(required(line, "createdTime", lineNumber)))
                    .lastUpdatedAt(Instant.parse(required(line, "lastUpdatedTime", lineNumber)))
                    .scheduledStartAt(instant(text(line, "scheduledStartTime")))
                    .parentInstanceId(text(line, "parentInstanceId"))
                    .build();
            return new ExportedInstance(state, HistoryCodec.decodeAll(history.toString()));
        } catch (BadLineException e) {
            throw e;
        } catch (TaskhubException | DateTimeParseException e) {
            throw bad(lineNumber, e.getMessage());
        }
    }

    /** A line that cannot be read; the import reports it with its line number and goes on with the next line. */
    static final class BadLineException extends RuntimeException {
        BadLineException(String message) {
            super(message, null, false, false);
        }
    }

    private static BadLineException bad(long lineNumber, String why) {
        return new BadLineException("Line " + lineNumber + " is not an exported instance: " + why
                + ". Fix or remove the line (each line must be one instance as 'taskhub export' writes it).");
    }

    private static String required(JsonNode line, String field, long lineNumber) {
        String value = text(line, field);
        if (value == null || value.isEmpty()) {
            throw bad(lineNumber, "'" + field + "' is missing");
        }
        return value;
    }

    private static String text(JsonNode line, String field) {
        JsonNode node = line.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String nullable(JsonNode node) {
        return node == null || node.isNull() ? null : node.toString();
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }

    private static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("HistoryCodec wrote JSON that does not parse", e);
        }
    }
}

package dev.taskhub.provider.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.FailureDetails;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.internal.JsonDataConverter;
import dev.taskhub.spi.InstanceState;

import java.sql.ResultSet;
import java.sql.SQLException;

/** JSON and row mapping for the stored types. Stateless. */
final class Codec {
    private static final ObjectMapper MAPPER = JsonDataConverter.DEFAULT.mapper();

    /** The instance columns, without input and output. */
    static final String STATE_COLUMNS = "instance_id, name, version, execution_id, status, custom_status, failure_details, "
            + "created_ns, updated_ns, scheduled_ns, parent_instance_id";
    static final String PAYLOAD_COLUMNS = "input, output";

    private Codec() {}

    static String eventJson(HistoryEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot serialise history event " + event.eventType() + ": " + e.getOriginalMessage(), e);
        }
    }

    static HistoryEvent event(String json) {
        try {
            return MAPPER.readValue(json, HistoryEvent.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("A stored history event cannot be read (" + e.getOriginalMessage()
                    + "). It was probably written by an incompatible Taskhub version.", e);
        }
    }

    static String failureJson(FailureDetails details) {
        if (details == null) {
            return null;
        }
        try {
            return MAPPER.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot serialise failure details: " + e.getOriginalMessage(), e);
        }
    }

    static FailureDetails failure(String json) {
        if (json == null) {
            return null;
        }
        try {
            return MAPPER.readValue(json, FailureDetails.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("Stored failure details cannot be read: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads an instance state from a row selected with {@link #STATE_COLUMNS} (and optionally the payload columns). */
    static InstanceState state(ResultSet rs, boolean withPayloads) throws SQLException {
        String status = rs.getString("status");
        if (status == null) {
            return null;
        }
        return new InstanceState(rs.getString("instance_id"), rs.getString("name"), rs.getString("version"),
                rs.getString("execution_id"), RuntimeStatus.valueOf(status),
                withPayloads ? rs.getString("input") : null, withPayloads ? rs.getString("output") : null,
                rs.getString("custom_status"), failure(rs.getString("failure_details")),
                Db.getNanos(rs, "created_ns"), Db.getNanos(rs, "updated_ns"),
                Db.getNanos(rs, "scheduled_ns"), rs.getString("parent_instance_id"));
    }
}

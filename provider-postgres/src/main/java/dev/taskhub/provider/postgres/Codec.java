package dev.taskhub.provider.postgres;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.HistoryCodec;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.InstanceState;

import java.sql.ResultSet;
import java.sql.SQLException;

/** JSON and row mapping for the stored types. Stateless. */
final class Codec {
    /** The instance columns, without input and output. */
    static final String STATE_COLUMNS = "instance_id, name, version, execution_id, status, custom_status, failure_details, "
            + "created_ns, updated_ns, scheduled_ns, parent_instance_id";
    static final String PAYLOAD_COLUMNS = "input, output";

    private Codec() {}

    static String eventJson(HistoryEvent event) {
        return HistoryCodec.encode(event);
    }

    static HistoryEvent event(String json) {
        return HistoryCodec.decode(json);
    }

    static String failureJson(FailureDetails details) {
        return HistoryCodec.encodeFailure(details);
    }

    static FailureDetails failure(String json) {
        return HistoryCodec.decodeFailure(json);
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

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
        return InstanceState.builder().instanceId(rs.getString("instance_id")).name(rs.getString("name"))
                .version(rs.getString("version")).executionId(rs.getString("execution_id"))
                .status(RuntimeStatus.valueOf(status)).input(withPayloads ? rs.getString("input") : null)
                .output(withPayloads ? rs.getString("output") : null).customStatus(rs.getString("custom_status"))
                .failureDetails(failure(rs.getString("failure_details"))).createdAt(Db.getNanos(rs, "created_ns"))
                .lastUpdatedAt(Db.getNanos(rs, "updated_ns")).scheduledStartAt(Db.getNanos(rs, "scheduled_ns"))
                .parentInstanceId(rs.getString("parent_instance_id")).build();
    }
}

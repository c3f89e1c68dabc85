package dev.taskhub.provider.postgres;

import dev.taskhub.history.HistoryEvent;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** History rows: an instance's events in order. Appends and deletes belong to the checkpoint and purge. Thread-safe. */
final class HistoryRepository {
    private final Db db;
    private final String hub;
    private final String getHistory;

    HistoryRepository(Db db) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.getHistory = db.sql("SELECT event FROM {s}history WHERE hub = ? AND instance_id = ? ORDER BY seq");
    }

    List<HistoryEvent> history(String instanceId) {
        return db.autoCommit("read history", c -> {
            try (PreparedStatement ps = c.prepareStatement(getHistory)) {
                ps.setString(1, hub);
                ps.setString(2, instanceId);
                List<HistoryEvent> events = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.add(Codec.event(rs.getString(1)));
                    }
                }
                return events;
            }
        });
    }
}

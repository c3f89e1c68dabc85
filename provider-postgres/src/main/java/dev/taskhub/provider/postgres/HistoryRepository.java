package dev.taskhub.provider.postgres;

import dev.taskhub.history.HistoryEvent;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** History rows: an instance's events in order. Appends and deletes belong to the checkpoint and purge. Thread-safe. */
final class HistoryRepository {
    private final Db db;
    private final String hub;
    private final String getHistory;
    private final String getHistories;

    HistoryRepository(Db db) {
        this.db = db;
        this.hub = db.settings().taskHub();
        this.getHistory = db.sql("SELECT event FROM {s}history WHERE hub = ? AND instance_id = ? ORDER BY seq");
        this.getHistories = db.sql("SELECT instance_id, event FROM {s}history WHERE hub = ? AND instance_id = ANY(?) "
                + "ORDER BY instance_id, seq");
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

    /** Several instances' histories in one query; instances without history are left out. */
    Map<String, List<HistoryEvent>> histories(Collection<String> instanceIds) {
        if (instanceIds.isEmpty()) {
            return Map.of();
        }
        return db.autoCommit("read histories", c -> {
            try (PreparedStatement ps = c.prepareStatement(getHistories)) {
                ps.setString(1, hub);
                ps.setArray(2, Db.textArray(c, instanceIds.toArray()));
                Map<String, List<HistoryEvent>> histories = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        histories.computeIfAbsent(rs.getString(1), id -> new ArrayList<>()).add(Codec.event(rs.getString(2)));
                    }
                }
                return histories;
            }
        });
    }
}

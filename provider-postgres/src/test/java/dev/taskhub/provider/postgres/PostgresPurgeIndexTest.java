package dev.taskhub.provider.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.OrchestrationWorkItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static dev.taskhub.provider.postgres.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Purge finds every row it deletes through an index (migration V3 indexes activity messages by hub and instance id),
 * and deletes the queued activity messages of purged instances and nothing else. Plans are checked with
 * {@code enable_seqscan = off}, so the result does not depend on table sizes or statistics: a statement without a
 * usable index still shows a sequential scan, or an index scan that does not constrain the instance id.
 */
class PostgresPurgeIndexTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TABLES = Set.of("instances", "history", "orchestration_messages", "activity_messages",
            "quarantine");

    private PostgresStorageProvider provider;

    @BeforeEach
    void setUp() {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgpurge"), Map.of(PostgresSettings.PURGE_BATCH_SIZE, "2"));
    }

    @AfterEach
    void tearDown() {
        PostgresTestDatabase.deleteAndClose(provider);
    }

    @Test
    void migration_indexesActivityMessagesByHubAndInstanceId() throws SQLException {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT i.relname, x.indisvalid, array(SELECT a.attname::text "
                     + "FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a "
                     + "ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord) "
                     + "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = to_regclass(?)")) {
            ps.setString(1, "\"" + provider.schemaName() + "\".activity_messages");
            Map<String, String> indexes = new TreeMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> columns = List.of((String[]) rs.getArray(3).getArray());
                    indexes.put(rs.getString(1), columns + (rs.getBoolean(2) ? "" : " INVALID"));
                }
            }
            assertThat(indexes).containsEntry("activity_messages_instance", "[hub, instance_id]");
        }
    }

    @Test
    void purgeStatements_findRowsThroughIndexesOnHubAndInstanceId() throws Exception {
        fillHub(5_000);
        for (String sql : provider.purgeStatements()) {
            for (Map.Entry<String, String> scan : scans(sql).entrySet()) {
                assertThat(scan.getValue()).as("%s in:%n%s", scan.getKey(), sql).contains("instance_id");
            }
            assertThat(scans(sql).keySet()).as(sql).isNotEmpty();
        }
    }

    @Test
    void deleteTaskHubStatements_useIndexes() throws Exception {
        fillHub(1_000);
        for (String sql : HubSchema.deleteStatements(provider.schemaName())) {
            for (Map.Entry<String, String> scan : scans(sql).entrySet()) {
                assertThat(scan.getValue()).as("%s in:%n%s", scan.getKey(), sql).contains("hub");
            }
        }
    }

    @Test
    void purge_deletesTheQueuedActivityMessagesOfPurgedInstances_andNothingElse() throws SQLException {
        Instant base = now().minusSeconds(100);
        createFinished("gone-1", base.plusSeconds(1), RuntimeStatus.COMPLETED, 2);
        createFinished("gone-2", base.plusSeconds(2), RuntimeStatus.TERMINATED, 1);
        createFinished("gone-3", base.plusSeconds(3), RuntimeStatus.FAILED, 3);
        createFinished("kept-late", base.plusSeconds(50), RuntimeStatus.COMPLETED, 1);
        createFinished("alive", base.plusSeconds(4), RuntimeStatus.RUNNING, 2);
        createFinished("single", base.plusSeconds(5), RuntimeStatus.COMPLETED, 1);
        PostgresStorageProvider other = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgpurge2"), Map.of());
        try {
            // the same instance id in another hub keeps its activity
            createFinished(other, "gone-1", base.plusSeconds(1), RuntimeStatus.COMPLETED, 1);

            assertThat(provider.purgeInstances(PurgeCriteria.builder().createdFrom(base).createdTo(base.plusSeconds(10))
                    .statuses(RuntimeStatus.COMPLETED, RuntimeStatus.TERMINATED, RuntimeStatus.FAILED).build())).isEqualTo(4);
            assertThat(queuedActivities(provider)).containsExactly(Map.entry("alive", 2), Map.entry("kept-late", 1));
            assertThat(provider.purgeInstance("kept-late")).isTrue();
            assertThat(provider.purgeInstance("alive")).isFalse();
            assertThat(queuedActivities(provider)).containsExactly(Map.entry("alive", 2));
            assertThat(queuedActivities(other)).containsExactly(Map.entry("gone-1", 1));

            List<ActivityWorkItem> left = provider.lockActivityWorkItems(10, LEASE, Duration.ofSeconds(2));
            assertThat(left).extracting(w -> w.request().instanceId()).containsOnly("alive").hasSize(2);
        } finally {
            PostgresTestDatabase.deleteAndClose(other);
        }
    }

    /**
     * Inserts n finished instances with 3 history events, an orchestration message, a queued activity and a quarantine
     * record each, and
     * refreshes the statistics: on a hub with data the planner picks its indexes as it would in production (on a
     * nearly empty table it prefers scanning the hub's few rows and filtering them).
     */
    private void fillHub(int n) throws SQLException {
        String s = "\"" + provider.schemaName() + "\".";
        String[] fills = {
                "INSERT INTO " + s + "instances (hub, instance_id, name, status, created_ns, updated_ns) "
                        + "SELECT ?, 'bulk-' || g, 'Hello', 'COMPLETED', g, g FROM generate_series(1, ?) g",
                "INSERT INTO " + s + "history (hub, instance_id, seq, event) "
                        + "SELECT ?, 'bulk-' || g, k, '{}' FROM generate_series(1, ?) g, generate_series(0, 2) k",
                "INSERT INTO " + s + "orchestration_messages (hub, instance_id, message_id, event) "
                        + "SELECT ?, 'bulk-' || g, 'm-' || g, '{}' FROM generate_series(1, ?) g",
                "INSERT INTO " + s + "activity_messages (hub, message_id, instance_id, task_id, name) "
                        + "SELECT ?, 'a-' || g, 'bulk-' || g, 0, 'Work' FROM generate_series(1, ?) g",
                "INSERT INTO " + s + "quarantine (hub, id, instance_id, kind, quarantined_ns, record) "
                        + "SELECT ?, 'q-' || g, 'bulk-' || g, 'ORCHESTRATION', g, '{}' FROM generate_series(1, ?) g"};
        try (Connection c = PostgresTestDatabase.connect()) {
            for (String sql : fills) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, provider.taskHubName());
                    ps.setInt(2, n);
                    ps.executeUpdate();
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE " + s + "instances, " + s + "history, " + s + "orchestration_messages, " + s + "activity_messages, "
                        + s + "quarantine");
            }
        }
    }

    private void createFinished(String id, Instant created, RuntimeStatus status, int queuedActivities) {
        createFinished(provider, id, created, status, queuedActivities);
    }

    /** Creates an instance and commits one episode that sets the status and schedules activities nobody runs. */
    private static void createFinished(PostgresStorageProvider p, String id, Instant created, RuntimeStatus status, int queuedActivities) {
        p.createInstance(pending(id, created), start(id), Set.of());
        List<OrchestrationWorkItem> items = p.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(5));
        assertThat(items).extracting(OrchestrationWorkItem::instanceId).containsExactly(id);
        List<ActivityRequest> activities = new ArrayList<>();
        for (int t = 0; t < queuedActivities; t++) {
            activities.add(activity(id, t, "Work"));
        }
        assertThat(p.commitCheckpoints(List.of(episode(items.get(0), status, List.of(), activities))))
                .containsExactly(CommitResult.COMMITTED);
    }

    private static Map<String, Integer> queuedActivities(PostgresStorageProvider p) throws SQLException {
        Map<String, Integer> counts = new TreeMap<>();
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT instance_id, count(*) FROM \"" + p.schemaName()
                     + "\".activity_messages WHERE hub = ? GROUP BY instance_id")) {
            ps.setString(1, p.taskHubName());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return counts;
    }

    /**
     * EXPLAINs a statement with sequential scans disabled, binding this hub to text parameters and two instance ids to
     * text-array parameters; returns, per scan of a Taskhub table, its node type and index/recheck condition.
     */
    private Map<String, String> scans(String sql) throws Exception {
        try (Connection c = PostgresTestDatabase.connect()) {
            try (Statement st = c.createStatement()) {
                // on these tiny tables the planner would rather scan; off, it shows which index can find the rows
                st.execute("SET enable_seqscan = off");
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
                ParameterMetaData md = ps.getParameterMetaData();
                for (int i = 1; i <= md.getParameterCount(); i++) {
                    if (md.getParameterTypeName(i).startsWith("_")) {
                        ps.setArray(i, c.createArrayOf("text", new Object[] {"bulk-1", "bulk-2"}));
                    } else {
                        ps.setString(i, i == 2 && sql.contains("instance_id = ? AND") ? "bulk-1" : provider.taskHubName());
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Map<String, String> scans = new TreeMap<>();
                    collect(JSON.readTree(rs.getString(1)).get(0).get("Plan"), scans);
                    return scans;
                }
            }
        }
    }

    private static void collect(JsonNode plan, Map<String, String> scans) {
        String relation = plan.path("Relation Name").asText("");
        String type = plan.path("Node Type").asText();
        if (TABLES.contains(relation) && !type.equals("ModifyTable")) {
            String cond = plan.path("Index Cond").asText(plan.path("Recheck Cond").asText(""));
            scans.merge(relation + " (" + plan.path("Alias").asText() + ")", type + " " + plan.path("Index Name").asText("") + ": " + cond,
                    (a, b) -> a + " | " + b);
        }
        for (JsonNode child : plan.path("Plans")) {
            collect(child, scans);
        }
    }
}

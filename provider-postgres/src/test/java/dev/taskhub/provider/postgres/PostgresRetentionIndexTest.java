package dev.taskhub.provider.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.spi.ExpiredInstances;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retention pass selects its batch through the partial index {@code instances_finished} (migration V5): an index
 * range scan on (hub, status, updated_ns) under a Limit, in the generic plan a pooled connection may cache as well as in
 * a custom one, so its cost follows the batch, not the hub's size; and the batch leaves running instances, other
 * statuses and newer instances alone.
 */
class PostgresRetentionIndexTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FINISHED = 20_000;

    private PostgresStorageProvider provider;

    @BeforeEach
    void setUp() {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgret"), Map.of(PostgresSettings.PURGE_BATCH_SIZE, "300"));
    }

    @AfterEach
    void tearDown() {
        PostgresTestDatabase.deleteAndClose(provider);
    }

    @Test
    void expiredBatch_isAnIndexRangeScanUnderALimit_inCustomAndGenericPlans() throws Exception {
        fill();
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            for (String sql : provider.expiredStatements()) {
                JsonNode plan = explain(sql, mode);
                assertThat(plan.path("Node Type").asText()).as("%s, %s", mode, sql).isIn("Limit", "LockRows");
                List<String> scans = new ArrayList<>();
                collect(plan, scans);
                assertThat(scans).as("%s, %s", mode, sql).containsExactly("Index Scan instances_finished");
            }
        }
    }

    @Test
    void purgeExpired_takesTheLimitInBatches_andOnlyExpiredInstancesOfTheStatusAndName() throws SQLException {
        fill();
        Instant cutoff = Instant.ofEpochSecond(0, 10_001);   // updated_ns 1 .. 10,000 are before it
        int purged = provider.purgeExpiredInstances(new ExpiredInstances(RuntimeStatus.COMPLETED, null, Set.of("Other"), cutoff, 1_000));
        assertThat(purged).as("at most the limit, in batches of purgeBatchSize").isEqualTo(1_000);
        assertThat(provider.purgeExpiredInstances(new ExpiredInstances(RuntimeStatus.COMPLETED, "Hello", Set.of(), cutoff, 100_000)))
                .isEqualTo(9_000 - 2_000);   // the 10,000 old ones less 1,000 just purged, less those named Other (every 5th)
        assertThat(count("status = 'COMPLETED' AND updated_ns < 10001 AND name = 'Hello'")).isZero();
        assertThat(count("status = 'COMPLETED' AND updated_ns < 10001 AND name = 'Other'")).isEqualTo(2_000);
        assertThat(count("status = 'COMPLETED' AND updated_ns >= 10001")).isEqualTo(FINISHED - 10_000);
        assertThat(count("status = 'RUNNING'")).isEqualTo(5_000);
    }

    /** 20,000 completed instances (every 5th named Other) with updated_ns 1..20,000, and 5,000 running ones. */
    private void fill() throws SQLException {
        String s = "\"" + provider.schemaName() + "\".";
        try (Connection c = PostgresTestDatabase.connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + "instances (hub, instance_id, name, status, created_ns, updated_ns) "
                    + "SELECT ?, 'done-' || g, CASE WHEN g % 5 = 0 THEN 'Other' ELSE 'Hello' END, 'COMPLETED', g, g "
                    + "FROM generate_series(1, ?) g UNION ALL "
                    + "SELECT ?, 'run-' || g, 'Hello', 'RUNNING', g, g FROM generate_series(1, 5000) g")) {
                ps.setString(1, provider.taskHubName());
                ps.setInt(2, FINISHED);
                ps.setString(3, provider.taskHubName());
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE " + s + "instances");
            }
        }
    }

    private long count(String where) throws SQLException {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM \"" + provider.schemaName() + "\".instances WHERE hub = ? AND " + where)) {
            ps.setString(1, provider.taskHubName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The plan of a batch select for Completed instances before updated_ns 5,000, limit 1,000. */
    private JsonNode explain(String sql, String planCacheMode) throws Exception {
        try (Connection c = PostgresTestDatabase.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET plan_cache_mode = " + planCacheMode);
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
                ps.setString(1, provider.taskHubName());
                ps.setString(2, "COMPLETED");
                ps.setLong(3, 5_000);
                if (sql.contains("ALL(?)")) {
                    ps.setArray(4, c.createArrayOf("text", new Object[] {"Other"}));
                } else {
                    ps.setString(4, "Hello");
                }
                ps.setInt(5, 1_000);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return JSON.readTree(rs.getString(1)).get(0).get("Plan");
                }
            }
        }
    }

    private static void collect(JsonNode plan, List<String> scans) {
        if ("instances".equals(plan.path("Relation Name").asText())) {
            scans.add(plan.path("Node Type").asText() + " " + plan.path("Index Name").asText(""));
        }
        for (JsonNode child : plan.path("Plans")) {
            collect(child, scans);
        }
    }
}

package dev.taskhub.provider.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.ConfigurationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Workers keep the planner statistics of a hub's tables current while the tables grow (autovacuum is off on some
 * servers, this test server among them, and slow to start on others). Each test uses a schema of its own, so its tables
 * start as a fresh database's do: never analyzed.
 */
class PostgresStatisticsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String schema = "stats_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    private PostgresStorageProvider provider;

    private PostgresStorageProvider open(String autoAnalyze) {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgstats"),
                Map.of(PostgresSettings.SCHEMA, schema, PostgresSettings.AUTO_ANALYZE, autoAnalyze));
        return provider;
    }

    @AfterEach
    void tearDown() throws SQLException {
        if (provider != null) {
            provider.close();
        }
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void workersAnalyzeAGrowingHub_inTheBackground() throws SQLException {
        open("true");
        assertThat(reltuples("instances")).as("a fresh table has never been analyzed").isNegative();
        fill(0, 2_000);

        // a worker asking for work starts the check
        provider.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ZERO);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(reltuples("instances")).isGreaterThanOrEqualTo(1_000));
        assertThat(reltuples("history")).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void tablesAreAnalyzedWhenTheyDouble_andLookupsByIdThenUseTheWholeKey() throws Exception {
        open("true");
        fill(0, 2_000);
        System.out.println("Lookup by id before ANALYZE: " + indexConditions(provider.checkpointLockSql()));

        assertThat(provider.statistics().checkNow()).containsExactlyInAnyOrder(StatisticsKeeper.TABLES.toArray(String[]::new));
        assertThat(reltuples("instances")).isGreaterThanOrEqualTo(1_500);
        assertThat(indexConditions(provider.checkpointLockSql())).as("the batch lock finds its rows by instance id")
                .isNotEmpty().allSatisfy(cond -> assertThat(cond).contains("instance_id"));

        assertThat(provider.statistics().checkNow()).as("nothing has doubled since").isEmpty();
        fill(2_000, 3_000);
        assertThat(provider.statistics().checkNow()).contains("instances", "history");
        assertThat(reltuples("instances")).isGreaterThanOrEqualTo(4_000);
    }

    @Test
    void autoAnalyzeOff_leavesStatisticsAlone() throws SQLException {
        open("false");
        fill(0, 2_000);
        assertThat(provider.statistics().checkNow()).isEmpty();
        assertThat(reltuples("instances")).isNegative();
    }

    @Test
    void autoAnalyze_mustBeTrueOrFalse() {
        assertThatThrownBy(() -> open("sometimes"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("taskhub.postgres.autoAnalyze")
                .hasMessageContaining("true or false");
    }

    /** Adds finished instances {@code from..from+n-1}, three history events each, the way a busy hub grows. */
    private void fill(int from, int n) throws SQLException {
        String s = schema + ".";
        try (Connection c = PostgresTestDatabase.connect()) {
            for (String sql : List.of(
                    "INSERT INTO " + s + "instances (hub, instance_id, name, status, created_ns, updated_ns) "
                            + "SELECT ?, 'bulk-' || g, 'Hello', 'COMPLETED', g, g FROM generate_series(?, ?) g",
                    "INSERT INTO " + s + "history (hub, instance_id, seq, event) "
                            + "SELECT ?, 'bulk-' || g, k, '{}' FROM generate_series(?, ?) g, generate_series(0, 2) k",
                    "INSERT INTO " + s + "orchestration_messages (hub, instance_id, message_id, event) "
                            + "SELECT ?, 'bulk-' || g, 'm-' || g, '{}' FROM generate_series(?, ?) g",
                    "INSERT INTO " + s + "activity_messages (hub, message_id, instance_id, task_id, name) "
                            + "SELECT ?, 'a-' || g, 'bulk-' || g, 0, 'Work' FROM generate_series(?, ?) g")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, provider.taskHubName());
                    ps.setInt(2, from);
                    ps.setInt(3, from + n - 1);
                    ps.executeUpdate();
                }
            }
            // the cumulative statistics the check reads are flushed at the end of a transaction, at most once a second
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_stat_force_next_flush()");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> liveRows("instances") >= from + n);
    }

    private double reltuples(String table) throws SQLException {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, schema + "." + table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }

    private long liveRows(String table) throws SQLException {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT n_live_tup FROM pg_stat_user_tables WHERE schemaname = ? AND relname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The index conditions of the scans of {@code instances} in the statement's plan, for three instance ids. */
    private List<String> indexConditions(String sql) throws Exception {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
            ps.setString(1, provider.taskHubName());
            ps.setArray(2, c.createArrayOf("text", new Object[] {"bulk-1", "bulk-2", "bulk-3"}));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                List<String> conditions = new ArrayList<>();
                collect(JSON.readTree(rs.getString(1)).get(0).get("Plan"), conditions);
                return conditions;
            }
        }
    }

    private static void collect(JsonNode plan, List<String> conditions) {
        if (plan.path("Relation Name").asText("").equals("instances")) {
            conditions.add(plan.path("Node Type").asText() + ": " + plan.path("Index Cond").asText(plan.path("Recheck Cond").asText(""))
                    + " / filter " + plan.path("Filter").asText(""));
        }
        for (JsonNode child : plan.path("Plans")) {
            collect(child, conditions);
        }
    }
}

package dev.taskhub.provider.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stuck-instance query collects its candidates through indexes (the pending instances by status and creation time,
 * the overdue ones by their due time, the redelivered ones by the partial index of migration V6) in the generic plan a
 * pooled connection may cache as well as in a custom one, so its cost follows the candidates, not the hub's size; and on
 * a hub of 30,000 healthy instances it finds exactly the few stuck ones with their reasons.
 */
class PostgresStuckPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PostgresStorageProvider provider;

    @BeforeEach
    void setUp() {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgstuck"), Map.of());
    }

    @AfterEach
    void tearDown() {
        PostgresTestDatabase.deleteAndClose(provider);
    }

    @Test
    void candidates_comeFromIndexes_inCustomAndGenericPlans() throws Exception {
        fill();
        for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
            List<String> scans = new ArrayList<>();
            List<String> indexes = new ArrayList<>();
            collect(explain(mode), scans, indexes);
            assertThat(scans).as(mode).isNotEmpty().noneMatch(scan -> scan.startsWith("Seq Scan"));
            assertThat(indexes).as(mode).contains("instances_status_created", "instances_due", "instances_redelivered")
                    .doesNotContain("instances_created");
        }
    }

    @Test
    void aLargeHealthyHub_yieldsExactlyTheStuckInstances() throws Exception {
        fill();
        List<StuckInstance> stuck = provider.findStuckInstances(StuckQuery.builder().threshold(Duration.ofMinutes(5)).build(),
                Instant.now()).instances();
        assertThat(stuck).extracting(StuckInstance::instanceId).containsExactly("pending-old", "locked", "redelivered");
        assertThat(stuck.get(0).reasons()).containsExactly(StuckReason.PENDING);
        assertThat(stuck.get(1).reasons()).containsExactly(StuckReason.LOCKED_PAST_LEASE);
        assertThat(stuck.get(1).lockExpiredAt()).isBefore(Instant.now().minus(Duration.ofMinutes(5)));
        assertThat(stuck.get(2).reasons()).containsExactly(StuckReason.REPEATED_FAILURES);
        assertThat(stuck.get(2).deliveryCount()).isEqualTo(3);
    }

    /**
     * 30,000 completed instances and 5,000 running ones with nothing due, plus one instance for each case: pending for an
     * hour, pending for a second (not stuck), locked by a lease that ended an hour ago, redelivered three times.
     */
    private void fill() throws SQLException {
        String s = "\"" + provider.schemaName() + "\".";
        long hourAgo = Instant.now().minus(Duration.ofHours(1)).toEpochMilli() * 1_000_000L;
        try (Connection c = PostgresTestDatabase.connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + "instances (hub, instance_id, name, status, created_ns, updated_ns) "
                    + "SELECT ?, 'done-' || g, 'Hello', 'COMPLETED', g, g FROM generate_series(1, 30000) g UNION ALL "
                    + "SELECT ?, 'run-' || g, 'Hello', 'RUNNING', g, g FROM generate_series(1, 5000) g")) {
                ps.setString(1, provider.taskHubName());
                ps.setString(2, provider.taskHubName());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + "instances (hub, instance_id, name, status, created_ns, "
                    + "updated_ns, lock_token, locked_until, visible_at, delivery_count) VALUES "
                    + "(?, 'pending-old', 'Hello', 'PENDING', ?, ?, NULL, NULL, now() - interval '1 hour', 0), "
                    + "(?, 'pending-new', 'Hello', 'PENDING', ?, ?, NULL, NULL, now(), 0), "
                    + "(?, 'locked', 'Hello', 'RUNNING', ?, ?, 'token', now() - interval '1 hour', now() - interval '1 hour', 1), "
                    + "(?, 'redelivered', 'Hello', 'RUNNING', ?, ?, NULL, NULL, now() + interval '1 minute', 3)")) {
                long now = Instant.now().toEpochMilli() * 1_000_000L;
                long[][] times = {{hourAgo, hourAgo}, {now, now}, {hourAgo + 1, hourAgo + 1}, {hourAgo + 2, hourAgo + 2}};
                for (int i = 0; i < 4; i++) {
                    ps.setString(3 * i + 1, provider.taskHubName());
                    ps.setLong(3 * i + 2, times[i][0]);
                    ps.setLong(3 * i + 3, times[i][1]);
                }
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE " + s + "instances");
            }
        }
    }

    private JsonNode explain(String planCacheMode) throws Exception {
        String sql = provider.stuckSql();
        try (Connection c = PostgresTestDatabase.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET plan_cache_mode = " + planCacheMode);
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
                ParameterMetaData md = ps.getParameterMetaData();
                Timestamp cutoff = Timestamp.from(Instant.now().minus(Duration.ofMinutes(5)));
                for (int i = 1; i <= md.getParameterCount(); i++) {
                    switch (md.getParameterTypeName(i)) {
                        case "text" -> ps.setString(i, provider.taskHubName());
                        case "int8" -> ps.setLong(i, cutoff.getTime() * 1_000_000L);
                        case "int4" -> ps.setInt(i, 2);
                        default -> ps.setTimestamp(i, cutoff);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return JSON.readTree(rs.getString(1)).get(0).get("Plan");
                }
            }
        }
    }

    /** The scans of the instances table, and every index the plan uses. */
    private static void collect(JsonNode plan, List<String> scans, List<String> indexes) {
        if ("instances".equals(plan.path("Relation Name").asText())) {
            scans.add(plan.path("Node Type").asText() + " " + plan.path("Index Name").asText(""));
        }
        if (plan.has("Index Name")) {
            indexes.add(plan.get("Index Name").asText());
        }
        for (JsonNode child : plan.path("Plans")) {
            collect(child, scans, indexes);
        }
    }
}

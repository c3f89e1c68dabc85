package dev.taskhub.provider.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Locking and completing activity messages find the messages by key, never by joining the queue with the batch: the
 * statistics of a queue are taken when most of its messages wait unleased, so the planner believes almost none has a
 * lease, and a join then walked every queued message once for each result of the batch (22–28 ms per batch of 128 in a
 * {@code hello} run, growing with the queue). Checked in the custom plan and in the generic plan a pooled connection
 * may cache, with statistics taken over 2,000 unleased messages.
 */
class PostgresActivityPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PostgresStorageProvider provider;

    @BeforeEach
    void setUp() {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgactplan"), Map.of());
    }

    @AfterEach
    void tearDown() {
        PostgresTestDatabase.deleteAndClose(provider);
    }

    @Test
    void lockAndComplete_updateAndDeleteTheQueueByKey_notThroughAJoin() throws Exception {
        String s = "\"" + provider.schemaName() + "\".";
        try (Connection c = PostgresTestDatabase.connect()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + s + "activity_messages (hub, message_id, instance_id, "
                    + "task_id, name, visible_at) SELECT ?, 'm' || g, 'i' || (g % 50), g, 'Act', now() - interval '1 second' "
                    + "FROM generate_series(1, 2000) g")) {
                ps.setString(1, provider.taskHubName());
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE " + s + "activity_messages");
            }
        }
        List<String> statements = provider.activityStatementsSql();
        assertThat(statements).hasSize(2);
        for (String sql : statements) {
            for (String mode : List.of("force_custom_plan", "force_generic_plan")) {
                List<String> queueWrites = new ArrayList<>();
                collectQueueWrites(explain(sql, mode), queueWrites);
                assertThat(queueWrites).as(mode + ": " + sql).isNotEmpty()
                        .allSatisfy(input -> assertThat(input).as("what the write on activity_messages reads its rows from")
                                .endsWith("on activity_messages"));
            }
        }
    }

    private JsonNode explain(String sql, String planCacheMode) throws Exception {
        try (Connection c = PostgresTestDatabase.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET plan_cache_mode = " + planCacheMode);
            }
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
                ParameterMetaData md = ps.getParameterMetaData();
                for (int i = 1; i <= md.getParameterCount(); i++) {
                    switch (md.getParameterTypeName(i)) {
                        case "text" -> ps.setString(i, provider.taskHubName());
                        case "_int8" -> ps.setArray(i, c.createArrayOf("int8", new Long[]{1L, 2L, 3L}));
                        case "_text" -> ps.setArray(i, c.createArrayOf("text", new String[]{"1.w:a", "2.w:a", "3.w:a"}));
                        case "int4" -> ps.setInt(i, 128);
                        default -> ps.setLong(i, 30_000);
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return JSON.readTree(rs.getString(1)).get(0).get("Plan");
                }
            }
        }
    }

    /** For each update or delete of activity_messages: the node it reads its rows from, as "type on relation". */
    private static void collectQueueWrites(JsonNode plan, List<String> inputs) {
        if ("ModifyTable".equals(plan.path("Node Type").asText()) && "activity_messages".equals(plan.path("Relation Name").asText())
                && !"Insert".equals(plan.path("Operation").asText())) {
            for (JsonNode input : plan.path("Plans")) {
                if ("Outer".equals(input.path("Parent Relationship").asText())) {   // not the CTEs and init plans beside it
                    inputs.add(input.path("Node Type").asText() + " on " + input.path("Relation Name").asText("(a join)"));
                }
            }
        }
        for (JsonNode child : plan.path("Plans")) {
            collectQueueWrites(child, inputs);
        }
    }
}

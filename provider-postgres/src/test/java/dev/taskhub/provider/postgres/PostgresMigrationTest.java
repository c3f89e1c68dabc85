package dev.taskhub.provider.postgres;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Upgrading a schema created by an earlier version: migration V3 builds its index concurrently, outside a transaction,
 * so it must cope with a leftover of an interrupted build and with a failure recorded in the schema history.
 */
class PostgresMigrationTest {
    private String schema;

    @BeforeEach
    void migrateToV2() {
        schema = "taskhub_up" + Long.toHexString(System.nanoTime());
        PostgresSettings s = PostgresSettings.from(ProviderConfig.of(PostgresTestDatabase.url(), "h"));
        Flyway.configure(HubSchema.class.getClassLoader())
                .dataSource(s.jdbcUrl(), s.user(), s.password())
                .schemas(schema).defaultSchema(schema).createSchemas(true)
                .table("taskhub_schema_history").locations(HubSchema.LOCATION)
                .target("2")
                .load().migrate();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    @Test
    void upgradeFromV2_replacesAnInvalidIndexLeftByAnInterruptedBuild() throws SQLException {
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO \"" + schema + "\".activity_messages (hub, message_id, instance_id, task_id, name) "
                    + "VALUES ('h', 'm1', 'i1', 0, 'A'), ('h', 'm2', 'i2', 0, 'A')");
            // a concurrent build that fails (here: duplicates for a unique index) leaves an INVALID index behind
            assertThatThrownBy(() -> st.execute("CREATE UNIQUE INDEX CONCURRENTLY activity_messages_instance ON \""
                    + schema + "\".activity_messages (hub)")).isInstanceOf(SQLException.class);
        }
        assertThat(index()).isEqualTo("[hub] INVALID");

        try (StorageProvider p = provider()) {
            p.createTaskHub();
        }
        assertThat(index()).isEqualTo("[hub, instance_id]");
        assertThat(history()).containsExactly("1 ok", "2 ok", "3 ok", "4 ok", "5 ok", "6 ok");
    }

    @Test
    void aFailedIndexBuild_isRunAgainByTheNextCreateTaskHub() throws Exception {
        try (Connection blocker = PostgresTestDatabase.connect(); Connection canceller = PostgresTestDatabase.connect();
             StorageProvider p = provider()) {
            // hold a lock the concurrent build waits for, then cancel the waiting build
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("LOCK TABLE \"" + schema + "\".activity_messages IN SHARE UPDATE EXCLUSIVE MODE");
            }
            CompletableFuture<Void> create = CompletableFuture.runAsync(p::createTaskHub);
            await().atMost(Duration.ofSeconds(30)).until(() -> cancelWaitingIndexBuild(canceller));
            assertThatThrownBy(create::join).hasCauseInstanceOf(StorageException.class)
                    .hasMessageContaining("createTaskHub() retries the migration");
            blocker.rollback();
            assertThat(history()).containsExactly("1 ok", "2 ok", "3 failed");

            p.createTaskHub();
        }
        assertThat(history()).containsExactly("1 ok", "2 ok", "3 ok", "4 ok", "5 ok", "6 ok");
        assertThat(index()).isEqualTo("[hub, instance_id]");
    }

    @Test
    void upgrade_countsTheInstancesThatAlreadyExist() throws SQLException {
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO \"" + schema + "\".instances (hub, instance_id, name, status, created_ns, updated_ns) VALUES "
                    + "('h', 'a', 'Hello', 'COMPLETED', 1, 1), ('h', 'b', 'Hello', 'COMPLETED', 2, 2), "
                    + "('h', 'c', 'Order', 'RUNNING', 3, 3), ('other', 'd', 'Hello', 'FAILED', 4, 4)");
            // a placeholder row for messages to an instance that does not exist yet: not an instance
            st.execute("INSERT INTO \"" + schema + "\".instances (hub, instance_id) VALUES ('h', 'early')");
        }
        try (StorageProvider p = provider()) {
            p.createTaskHub();
            InstanceCounts counts = p.countInstances(InstanceQuery.builder().build());
            assertThat(counts.byName()).containsOnlyKeys("Hello", "Order");
            assertThat(counts.byName().get("Hello")).containsExactly(Map.entry(RuntimeStatus.COMPLETED, 2L));
            assertThat(counts.byName().get("Order")).containsExactly(Map.entry(RuntimeStatus.RUNNING, 1L));
            assertThat(counts).as("the kept counts agree with counting the rows")
                    .isEqualTo(p.countInstances(InstanceQuery.builder().createdFrom(java.time.Instant.EPOCH).build()));
        }
    }

    private StorageProvider provider() {
        return PostgresTestDatabase.provider("h", Map.of(PostgresSettings.SCHEMA, schema, PostgresSettings.POOL_SIZE, "2"));
    }

    private boolean cancelWaitingIndexBuild(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                     + "AND wait_event_type = 'Lock' AND query ILIKE '%create index concurrently%activity_messages_instance%'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** The key columns of activity_messages_instance, with " INVALID" when it is not valid; null when it does not exist. */
    @Test
    void upgradeToV5_replacesAnInvalidRetentionIndex_andKeepsTheInstances() throws SQLException {
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO \"" + schema + "\".instances (hub, instance_id, name, status, created_ns, updated_ns) VALUES "
                    + "('h', 'a', 'Hello', 'COMPLETED', 1, 1), ('h', 'b', 'Hello', 'COMPLETED', 2, 2)");
            // an interrupted concurrent build of V5's index leaves it INVALID
            assertThatThrownBy(() -> st.execute("CREATE UNIQUE INDEX CONCURRENTLY instances_finished ON \""
                    + schema + "\".instances (hub)")).isInstanceOf(SQLException.class);
        }
        assertThat(index("instances_finished")).isEqualTo("[hub] INVALID");
        try (StorageProvider p = provider()) {
            p.createTaskHub();
        }
        assertThat(index("instances_finished")).isEqualTo("[hub, status, updated_ns, name]");
        try (StorageProvider p = provider()) {
            assertThat(p.getInstance("a")).isPresent();
            assertThat(p.retentionPolicies()).isEmpty();
        }
    }

    @Test
    void upgradeToV6_replacesAnInvalidRedeliveredIndex_andAddsTheQuarantine() throws SQLException {
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO \"" + schema + "\".instances (hub, instance_id, name, status, created_ns, updated_ns, delivery_count) "
                    + "VALUES ('h', 'a', 'Hello', 'RUNNING', 1, 1, 3), ('h', 'b', 'Hello', 'RUNNING', 2, 2, 3)");
            // an interrupted concurrent build of V6's index leaves it INVALID
            assertThatThrownBy(() -> st.execute("CREATE UNIQUE INDEX CONCURRENTLY instances_redelivered ON \""
                    + schema + "\".instances (hub)")).isInstanceOf(SQLException.class);
        }
        assertThat(index("instances_redelivered")).isEqualTo("[hub] INVALID");
        try (StorageProvider p = provider()) {
            p.createTaskHub();
        }
        assertThat(index("instances_redelivered")).isEqualTo("[hub, delivery_count]");
        assertThat(index("quarantine_listed")).isEqualTo("[hub, quarantined_ns, id]");
        try (StorageProvider p = provider()) {
            assertThat(p.findStuckInstances(dev.taskhub.query.StuckQuery.defaults(), java.time.Instant.now()).instances())
                    .extracting(dev.taskhub.query.StuckInstance::instanceId).containsExactly("a", "b");
            assertThat(p.listQuarantineRecords(dev.taskhub.query.QuarantineQuery.builder().build()).records()).isEmpty();
        }
    }

    private String index() throws SQLException {
        return index("activity_messages_instance");
    }

    private String index(String name) throws SQLException {
        try (Connection c = PostgresTestDatabase.connect();
             PreparedStatement ps = c.prepareStatement("SELECT x.indisvalid, array(SELECT a.attname::text "
                     + "FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a "
                     + "ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.ord) "
                     + "FROM pg_index x WHERE x.indexrelid = to_regclass(?)")) {
            ps.setString(1, "\"" + schema + "\"." + name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return List.of((String[]) rs.getArray(2).getArray()) + (rs.getBoolean(1) ? "" : " INVALID");
            }
        }
    }

    private List<String> history() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, success FROM \"" + schema + "\".taskhub_schema_history "
                     + "WHERE version IS NOT NULL ORDER BY installed_rank")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + (rs.getBoolean(2) ? " ok" : " failed"));
            }
        }
        return rows;
    }
}

package dev.taskhub.provider.postgres;

import dev.taskhub.ConfigurationException;
import dev.taskhub.StorageException;
import dev.taskhub.TaskhubException;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connection strings, settings, and creating the schema concurrently. */
class PostgresHubAndConfigTest {

    @Test
    void factory_isFoundByNameAndByConnectionString() {
        assertThat(StorageProviders.select(null, "jdbc:postgresql://localhost/db").name()).isEqualTo("postgres");
        assertThat(StorageProviders.select(null, "postgresql://u:p@localhost:5432/db").name()).isEqualTo("postgres");
        assertThat(StorageProviders.select(null, "postgres://localhost/db").name()).isEqualTo("postgres");
        assertThat(StorageProviders.select("postgres", null).name()).isEqualTo("postgres");
        assertThat(new PostgresStorageProviderFactory().accepts("UseDevelopmentStorage=true")).isFalse();
        assertThat(new PostgresStorageProviderFactory().accepts("inmemory")).isFalse();
    }

    @Test
    void factory_describesItself_masksItsPasswords_andNamesItsSettingsPrefix() {
        PostgresStorageProviderFactory factory = new PostgresStorageProviderFactory();
        assertThat(factory.settingsPrefix()).isEqualTo("taskhub.postgres.");
        assertThat(factory.maskSecrets("postgresql://alice:topsecret@db:5432/orders")).isEqualTo("postgresql://alice:***@db:5432/orders");
        assertThat(factory.maskSecrets("jdbc:postgresql://db/orders?user=alice&password=topsecret&sslpassword=k3y"))
                .isEqualTo("jdbc:postgresql://db/orders?user=alice&password=***&sslpassword=***");
        assertThat(StorageProviders.mask("postgres://bob:hunter2@h/db")).isEqualTo("postgres://bob:***@h/db");
        assertThat(factory.exampleConnectionStrings()).isNotEmpty().allMatch(factory::accepts);
    }

    @Test
    void libpqUrl_isConvertedToJdbc_withCredentialsSeparated() {
        PostgresSettings s = PostgresSettings.from(ProviderConfig.of("postgresql://alice:s%40cret@db.example:6543/orders?sslmode=require", "hub"));
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/orders?sslmode=require");
        assertThat(s.user()).isEqualTo("alice");
        assertThat(s.password()).isEqualTo("s@cret");
        assertThat(s.toString()).doesNotContain("s@cret");

        PostgresSettings noUser = PostgresSettings.from(ProviderConfig.of("postgres://h1:5432,h2:5433/db", "hub"));
        assertThat(noUser.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433/db");
        assertThat(noUser.user()).isNull();

        assertThatThrownBy(() -> PostgresSettings.from(ProviderConfig.of("postgresql://bob:pw@host:5432", "hub")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("names no database").hasMessageNotContaining(":pw@");
    }

    @Test
    void badSettings_nameTheSetting() {
        String url = "jdbc:postgresql://localhost/db";
        assertThatThrownBy(() -> PostgresSettings.from(new ProviderConfig(url, "h", Map.of(PostgresSettings.SCHEMA, "bad-name;drop"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("taskhub.postgres.schema");
        assertThatThrownBy(() -> PostgresSettings.from(new ProviderConfig(url, "h", Map.of(PostgresSettings.POOL_SIZE, "0"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("taskhub.postgres.poolSize");
        assertThatThrownBy(() -> PostgresSettings.from(new ProviderConfig(url, "h", Map.of(PostgresSettings.POLL_INTERVAL, "soon"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("taskhub.postgres.pollInterval");
    }

    @Test
    void settings_fromEnvironmentVariables_matchCaseInsensitively() {
        // TaskHubConfiguration maps TASKHUB_POSTGRES_POLLINTERVAL to taskhub.postgres.pollinterval
        PostgresSettings s = PostgresSettings.from(new ProviderConfig("jdbc:postgresql://localhost/db", "h",
                Map.of("taskhub.postgres.pollinterval", "PT3S", "taskhub.postgres.poolsize", "3", "taskhub.postgres.schema", "other")));
        assertThat(s.pollInterval()).isEqualTo(java.time.Duration.ofSeconds(3));
        assertThat(s.poolSize()).isEqualTo(3);
        assertThat(s.schema()).isEqualTo("other");
    }

    @Test
    void unreachableServer_failsWithMaskedMessage() {
        assertThatThrownBy(() -> new PostgresStorageProviderFactory().create(new ProviderConfig(
                "postgresql://alice:topsecret@127.0.0.1:1/db", "hub", Map.of(PostgresSettings.CONNECT_TIMEOUT, "PT1S"))))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("127.0.0.1:1")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
    }

    @Test
    void wrongDatabaseOrPassword_failsWithConfigurationException() {
        String url = PostgresTestDatabase.url();
        assertThat(url).isNotNull();
        String missingDb = url.contains("127.0.0.1:5432/test") ? url.replace("127.0.0.1:5432/test", "127.0.0.1:5432/no_such_db_taskhub") : null;
        org.junit.jupiter.api.Assumptions.assumeTrue(missingDb != null, "only checked against the local server");
        assertThatThrownBy(() -> new PostgresStorageProviderFactory().create(new ProviderConfig(
                missingDb + "&password=hunter2", "hub", Map.of())))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no_such_db_taskhub")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void concurrentCreateTaskHub_onAnEmptySchema_succeedsEverywhere() throws Exception {
        String schema = "taskhub_t" + Long.toHexString(System.nanoTime());
        int n = 3;
        List<StorageProvider> providers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int i = 0; i < n; i++) {
                providers.add(PostgresTestDatabase.provider("hub" + (i % 2), Map.of(PostgresSettings.SCHEMA, schema, PostgresSettings.POOL_SIZE, "2")));
            }
            CyclicBarrier barrier = new CyclicBarrier(n);
            List<Future<?>> futures = new ArrayList<>();
            for (StorageProvider p : providers) {
                futures.add(pool.submit(() -> {
                    barrier.await();
                    p.createTaskHub();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            providers.get(0).createInstance(Fixtures.pending("x"), Fixtures.start("x"), Set.of());
            assertThat(providers.get(2).getInstance("x")).isPresent(); // same hub name "hub0"
            assertThat(providers.get(1).getInstance("x")).isEmpty();
            try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(*) from " + schema + ".taskhub_schema_history where success")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
            }
            try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select hub from " + schema + ".hubs order by hub")) {
                List<String> hubs = new ArrayList<>();
                while (rs.next()) {
                    hubs.add(rs.getString(1));
                }
                assertThat(hubs).containsExactly("hub0", "hub1");
            }
        } finally {
            pool.shutdownNow();
            providers.forEach(StorageProvider::close);
            try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement()) {
                st.execute("drop schema if exists " + schema + " cascade");
            }
        }
    }

    @Test
    void operationsBeforeCreateTaskHub_explainWhatToDo() {
        String schema = "taskhub_none" + Long.toHexString(System.nanoTime());
        try (StorageProvider p = PostgresTestDatabase.provider("h", Map.of(PostgresSettings.SCHEMA, schema))) {
            assertThatThrownBy(() -> p.getInstance("x")).isInstanceOf(StorageException.class).hasMessageContaining("createTaskHub");
            p.deleteTaskHub(); // nothing to delete: no error
        }
    }

    @Test
    void closedProvider_refusesCalls() {
        StorageProvider p = PostgresTestDatabase.provider("closed");
        p.close();
        assertThatThrownBy(() -> p.getInstance("x")).isInstanceOf(TaskhubException.class).hasMessageContaining("closed");
    }
}

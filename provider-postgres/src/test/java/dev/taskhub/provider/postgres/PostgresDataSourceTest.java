package dev.taskhub.provider.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.taskhub.ConfigurationException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The provider on an application's DataSource (as the Spring Boot starter uses it) instead of a pool of its own. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostgresDataSourceTest {

    private static HikariDataSource dataSource(String url, int size) {
        return dataSource(url, size, true);
    }

    private static HikariDataSource dataSource(String url, int size, boolean autoCommit) {
        HikariConfig hc = new HikariConfig();
        hc.setAutoCommit(autoCommit);
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(size);
        hc.setConnectionTimeout(2_000);
        hc.setPoolName("application-pool");
        return new HikariDataSource(hc);
    }

    @Test
    void applicationDataSource_runsOrchestrations_listens_andStaysOpenAfterClose() throws Exception {
        String hub = PostgresTestDatabase.hubName("ds");
        String schema = "taskhub_ds_test";
        // auto-commit off, as some applications configure their pool: the provider must still commit its work
        try (HikariDataSource app = dataSource(PostgresTestDatabase.url(), 6, false)) {
            StorageProvider provider = new PostgresStorageProviderFactory().create(
                    new ProviderConfig("", hub, Map.of(PostgresSettings.SCHEMA, schema)), app);
            try {
                provider.createTaskHub();
                assertThat(((PostgresStorageProvider) provider).schemaName()).isEqualTo(schema);
                await().atMost(Duration.ofSeconds(10)).until(((PostgresStorageProvider) provider)::isListening);
                TaskHubClient client = new TaskHubClient(provider);
                try (TaskHubWorker worker = TaskHubWorker.builder(provider)
                        .addActivity("Greet", ctx -> "Hello " + ctx.getInput(String.class))
                        .addOrchestrator("Hello", ctx -> ctx.callActivity("Greet", ctx.getInput(String.class), String.class).await())
                        .build().start()) {
                    String id = client.scheduleNewOrchestrationInstance("Hello", "Tokyo");
                    OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(30));
                    assertThat(done.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
                    assertThat(done.readOutputAs(String.class)).isEqualTo("Hello Tokyo");
                }
                // the tables are in the configured schema of the application's database
                try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + schema + "'")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isPositive();
                }
                provider.deleteTaskHub();
            } finally {
                provider.close();
            }
            // the provider gave every connection back and did not close the application's pool
            assertThat(app.isClosed()).isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> app.getHikariPoolMXBean().getActiveConnections() == 0);
            try (Connection c = app.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void connectionStringAndDataSource_together_areRefused() {
        try (HikariDataSource app = dataSource(PostgresTestDatabase.url(), 1)) {
            assertThatThrownBy(() -> new PostgresStorageProviderFactory().create(
                    ProviderConfig.of("postgresql://alice:topsecret@localhost/db", "hub"), app))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("either a connection string or a DataSource")
                    .hasMessageNotContaining("topsecret");
        }
    }

    @Test
    void dataSourceThatCannotConnect_failsWithAMaskedMessage() {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/test?user=postgres&password=hunter2&connectTimeout=1");
        hc.setConnectionTimeout(500);
        hc.setInitializationFailTimeout(-1);
        try (HikariDataSource unreachable = new HikariDataSource(hc)) {
            assertThatThrownBy(() -> new PostgresStorageProviderFactory().create(ProviderConfig.of("", "hub"), unreachable))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("Cannot get a connection from the DataSource")
                    .hasMessageNotContaining("hunter2");
        }
    }
}

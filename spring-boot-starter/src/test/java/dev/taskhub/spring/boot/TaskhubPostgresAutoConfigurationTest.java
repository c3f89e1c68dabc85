package dev.taskhub.spring.boot;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.spi.StorageProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import javax.sql.DataSource;
import java.sql.Connection;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Provider selection with PostgreSQL: the application's DataSource, a connection string, and opting out. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TaskhubPostgresAutoConfigurationTest {
    private static final String SCHEMA = "taskhub_starter_test";
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TaskhubAutoConfiguration.class, TaskhubActuatorAutoConfiguration.class));

    private static HikariDataSource applicationDataSource(String url) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(6);
        hc.setPoolName("application");
        return new HikariDataSource(hc);
    }

    @Test
    void applicationDataSource_isUsedForPostgres_andStaysTheApplications() throws Exception {
        String url = PostgresTestServer.jdbcUrl();
        try (HikariDataSource app = applicationDataSource(url)) {
            // the application's bean without a destroy method: Spring would close the pool itself after Taskhub
            runner.withUserConfiguration(TestTasks.class)
                    .withBean(DataSource.class, () -> app, bd -> ((AbstractBeanDefinition) bd).setDestroyMethodName(""))
                    .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.postgres.schema=" + SCHEMA,
                            "taskhub.worker.orchestration-concurrency=2", "taskhub.worker.activity-concurrency=2").run(context -> {
                        assertThat(context).hasNotFailed();
                        StorageProvider provider = context.getBean(StorageProvider.class);
                        assertThat(provider.providerName()).isEqualTo("postgres");
                        TaskHubClient client = context.getBean(TaskHubClient.class);
                        String id = client.scheduleNewOrchestrationInstance("Greeting", "Ada");
                        var done = client.waitForInstanceCompletion(id, Duration.ofSeconds(30));
                        assertThat(done.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
                        assertThat(done.readOutputAs(String.class)).isEqualTo("HELLO ADA (9)");
                        assertThat(context.getBean(TaskhubHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
                        context.getBean(TaskhubWorkerLifecycle.class).stop();
                        provider.deleteTaskHub();
                    });
            // the context closed the provider, not the application's pool
            assertThat(app.isClosed()).isFalse();
            try (Connection c = app.getConnection()) {
                assertThat(c.isValid(2)).isTrue();
            }
        }
    }

    @Test
    void explicitProviderOrOptOut_leaveTheDataSourceAlone() {
        String url = PostgresTestServer.jdbcUrl();
        try (HikariDataSource app = applicationDataSource(url)) {
            runner.withBean(DataSource.class, () -> app)
                    .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.provider=inmemory")
                    .run(context -> assertThat(context.getBean(StorageProvider.class).providerName()).isEqualTo("inmemory"));
            runner.withBean(DataSource.class, () -> app)
                    .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.use-data-source=false")
                    .run(context -> assertThat(context.getBean(StorageProvider.class).providerName()).isEqualTo("inmemory"));
        }
    }

    @Test
    void connectionString_opensThePostgresProvidersOwnPool_withSettingsFromProperties() {
        String url = PostgresTestServer.jdbcUrl();
        runner.withUserConfiguration(TestTasks.class).withPropertyValues("taskhub.hub-name=" + TestTasks.hub(),
                "taskhub.connection-string=" + url, "taskhub.postgres.schema=" + SCHEMA, "taskhub.postgres.pool-size=2").run(context -> {
            assertThat(context).hasNotFailed();
            StorageProvider provider = context.getBean(StorageProvider.class);
            assertThat(provider.providerName()).isEqualTo("postgres");
            assertThat(provider.toString()).contains("poolSize=2").contains("schema=" + SCHEMA);
            TaskHubClient client = context.getBean(TaskHubClient.class);
            String id = client.scheduleNewOrchestrationInstance("Greeting", "Bo");
            assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(30)).readOutputAs(String.class)).isEqualTo("HELLO BO (8)");
            context.getBean(TaskhubWorkerLifecycle.class).stop();
            provider.deleteTaskHub();
        });
    }

    @Test
    void health_whenTheHubsTablesAreMissing_isDown() {
        String url = PostgresTestServer.jdbcUrl();
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.connection-string=" + url,
                "taskhub.postgres.schema=taskhub_never_created", "taskhub.postgres.pool-size=1",
                "taskhub.create-hub=false", "taskhub.worker.enabled=false").run(context -> {
            Health health = context.getBean(TaskhubHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) health.getDetails().get("problem")).contains("did not answer");
        });
    }
}

package dev.taskhub.spring.boot;

import dev.taskhub.StorageException;
import dev.taskhub.provider.postgres.PostgresStorageProviderFactory;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** The PostgreSQL provider on the application's {@link DataSource}. Loaded only when taskhub-provider-postgres is on the class path. */
final class PostgresDataSources {
    static final String FACTORY_CLASS = "dev.taskhub.provider.postgres.PostgresStorageProviderFactory";

    private PostgresDataSources() {}

    /** Whether the data source connects to PostgreSQL; asks it for a connection. */
    static boolean isPostgres(DataSource dataSource) {
        PostgresStorageProviderFactory factory = new PostgresStorageProviderFactory();
        try (Connection c = dataSource.getConnection()) {
            return factory.accepts(c.getMetaData().getURL());
        } catch (SQLException e) {
            throw new StorageException("Cannot connect to the application's DataSource to tell whether Taskhub may keep its "
                    + "task hub there: " + factory.maskSecrets(String.valueOf(e.getMessage())) + ". Fix the data source "
                    + "(spring.datasource.*), or choose Taskhub's storage yourself with taskhub.provider / "
                    + "taskhub.connection-string, or set taskhub.use-data-source=false.", e);
        }
    }

    static StorageProvider create(ProviderConfig config, DataSource dataSource) {
        return new PostgresStorageProviderFactory().create(config, dataSource);
    }
}

package dev.taskhub.provider.postgres;

import dev.taskhub.ConfigurationException;
import dev.taskhub.StorageException;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * Creates {@link PostgresStorageProvider}s. Name {@code postgres}; accepts {@code jdbc:postgresql://…} and libpq-style
 * {@code postgresql://user:password@host:port/db} (or {@code postgres://…}) connection strings. Settings are read from
 * {@link ProviderConfig#settings()} under {@code taskhub.postgres.*} (see {@code docs/postgres.md}). Registered for
 * {@link java.util.ServiceLoader}; stateless and cheap to construct.
 */
public final class PostgresStorageProviderFactory implements StorageProviderFactory {
    /** The provider name used in configuration. */
    public static final String NAME = "postgres";

    public PostgresStorageProviderFactory() {
        // no I/O before create()
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean accepts(String connectionString) {
        return PostgresSettings.accepts(connectionString);
    }

    @Override
    public List<String> exampleConnectionStrings() {
        return List.of("jdbc:postgresql://<host>:5432/<db>?user=<user>", "postgresql://<user>:<password>@<host>:5432/<db>");
    }

    /** Hides {@code password}, {@code pwd} and {@code sslpassword} parameters and the password of a URL's user info. */
    @Override
    public String maskSecrets(String text) {
        return PostgresSettings.mask(text);
    }

    /** {@code taskhub.postgres.} */
    @Override
    public String settingsPrefix() {
        return PostgresSettings.PREFIX;
    }

    /**
     * Validates the settings and opens the connection pool (failing fast with a message that names what is wrong and
     * hides the password). Does not create tables: call {@link StorageProvider#createTaskHub()}.
     */
    @Override
    public StorageProvider create(ProviderConfig config) {
        return new PostgresStorageProvider(PostgresSettings.from(config));
    }

    /**
     * Creates a provider that takes its connections from an existing {@link DataSource}, such as a Spring Boot
     * application's, instead of opening a pool of its own. The data source decides where to connect and as whom: the
     * configuration's connection string must be empty, and the settings {@code poolSize}, {@code connectTimeout},
     * {@code applicationName}, {@code user} and {@code password} do not apply; the others ({@code schema},
     * {@code pollInterval}, …) do. The provider holds one connection of the data source for as long as it is open (it
     * listens for notifications on it) and briefly a few more while {@code createTaskHub()} migrates the tables, so
     * size the data source's pool for those plus the workers' concurrency. {@link StorageProvider#close()} does not
     * close the data source.
     *
     * @throws ConfigurationException when a connection string is set too, or the data source is not PostgreSQL
     * @throws dev.taskhub.StorageException when the data source gives no connection
     */
    public StorageProvider create(ProviderConfig config, DataSource dataSource) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(dataSource, "dataSource");
        if (!config.connectionString().isBlank()) {
            throw new ConfigurationException("Give the PostgreSQL provider either a connection string or a DataSource, "
                    + "not both (got the connection string '" + maskSecrets(config.connectionString()) + "').");
        }
        String url;
        try (Connection c = dataSource.getConnection()) {
            url = c.getMetaData().getURL();
        } catch (SQLException e) {
            throw new StorageException("Cannot get a connection from the DataSource for the PostgreSQL provider: "
                    + maskSecrets(String.valueOf(e.getMessage())) + ". Check the data source's URL, user and password.", e);
        }
        if (!PostgresSettings.accepts(url)) {
            throw new ConfigurationException("The DataSource connects to '" + maskSecrets(String.valueOf(url))
                    + "', which is not PostgreSQL. Give the PostgreSQL provider a jdbc:postgresql:// data source or a "
                    + "connection string.");
        }
        return new PostgresStorageProvider(PostgresSettings.from(new ProviderConfig(url, config.taskHubName(), config.settings())),
                dataSource);
    }
}

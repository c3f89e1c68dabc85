package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

import java.util.List;

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
}

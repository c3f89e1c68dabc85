package dev.taskhub.examples.sqlite;

import dev.taskhub.spi.support.Args;
import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Creates {@link SqliteStorageProvider}s. Name {@code sqlite}; accepts {@code jdbc:sqlite:<file>} connection strings.
 * Settings (all optional) under {@link #settingsPrefix()} = {@code taskhub.sqlite.}: {@code busyTimeout} (how long a
 * writer waits for another, default {@code PT30S}) and {@code pollInterval} (longest pause between polls of an idle
 * worker, default {@code PT0.1S}). SQLite files carry no credentials, so the default secret masking is kept.
 * Registered in {@code META-INF/services/dev.taskhub.spi.StorageProviderFactory}; stateless.
 */
public final class SqliteStorageProviderFactory implements StorageProviderFactory {
    /** The provider name used in configuration. */
    public static final String NAME = "sqlite";
    private static final String SCHEME = "jdbc:sqlite:";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean accepts(String connectionString) {
        return connectionString != null && connectionString.trim().toLowerCase(Locale.ROOT).startsWith(SCHEME);
    }

    @Override
    public List<String> exampleConnectionStrings() {
        return List.of(SCHEME + "/var/lib/taskhub/hubs.db");
    }

    /** Validates the settings, then opens (or creates) the file; its folder must exist. */
    @Override
    public StorageProvider create(ProviderConfig config) {
        if (!accepts(config.connectionString())) {
            throw new ConfigurationException("The SQLite provider needs a connection string such as '"
                    + exampleConnectionStrings().get(0) + "', got '" + maskSecrets(config.connectionString()) + "'.");
        }
        String file = config.connectionString().trim().substring(SCHEME.length());
        if (file.isBlank() || file.contains(":memory:") || file.contains("mode=memory")) {
            throw new ConfigurationException("The SQLite provider needs a database file, got '" + file + "'. Name a file "
                    + "such as '" + exampleConnectionStrings().get(0) + "'; for a hub in memory use the in-memory provider.");
        }
        Path folder = Path.of(file).toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            throw new ConfigurationException("The folder '" + folder + "' of the SQLite database does not exist. Create it "
                    + "or point the connection string at a file in an existing folder.");
        }
        Duration busyTimeout = positive(config, "busyTimeout", Duration.ofSeconds(30));
        Duration pollInterval = positive(config, "pollInterval", Duration.ofMillis(100));
        return new SqliteStorageProvider(config.taskHubName(), Database.open(file, busyTimeout), pollInterval);
    }

    private Duration positive(ProviderConfig config, String name, Duration defaultValue) {
        return Args.positive(settingsPrefix() + name, config.durationSetting(settingsPrefix() + name, defaultValue));
    }
}

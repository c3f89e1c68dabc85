package dev.taskhub.spring.boot;

import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Opens the storage provider the properties ask for, through {@link StorageProviders} as the CLI and the server do;
 * adds only the application's {@link DataSource} as a source of PostgreSQL connections.
 */
final class TaskhubStorage {
    private static final Logger log = LoggerFactory.getLogger(TaskhubStorage.class);
    private static final String POSTGRES = "postgres";

    private TaskhubStorage() {}

    /** The provider for the properties, its hub created when {@code taskhub.create-hub} is on. The caller closes it. */
    static StorageProvider open(TaskhubProperties properties, DataSource dataSource) {
        String name = blankToNull(properties.getProvider());
        String connectionString = properties.getConnectionString() == null ? "" : properties.getConnectionString().trim();
        ProviderConfig config = new ProviderConfig(connectionString, properties.getHubName() == null ? "" : properties.getHubName().trim(),
                providerSettings(properties));
        StorageProvider provider = null;
        if (connectionString.isEmpty() && dataSource != null && properties.isUseDataSource()
                && (name == null || name.equalsIgnoreCase(POSTGRES))) {
            if (ClassUtils.isPresent(PostgresDataSources.FACTORY_CLASS, TaskhubStorage.class.getClassLoader())) {
                if (name != null || PostgresDataSources.isPostgres(dataSource)) {
                    provider = PostgresDataSources.create(config, dataSource);
                    log.info("Taskhub keeps task hub '{}' in PostgreSQL through the application's DataSource (schema {})",
                            config.taskHubName(), config.setting("taskhub.postgres.schema").orElse("taskhub"));
                } else {
                    log.info("The application's DataSource is not PostgreSQL; Taskhub does not use it");
                }
            } else if (name == null) {
                log.info("The application has a DataSource, but taskhub-provider-postgres is not on the class path; "
                        + "Taskhub does not use it");
            }
        }
        if (provider == null) {
            StorageProviderFactory factory = StorageProviders.select(name, connectionString);
            provider = factory.create(config);
            log.info("Taskhub keeps task hub '{}' in {}{}", config.taskHubName(), factory.name(),
                    connectionString.isEmpty() ? "" : " at " + factory.maskSecrets(connectionString));
        }
        if (properties.isCreateHub()) {
            try {
                provider.createTaskHub();
            } catch (RuntimeException e) {
                provider.close();
                throw e;
            }
        }
        return provider;
    }

    /**
     * The provider settings: {@code taskhub.settings} under their own names, and {@code taskhub.postgres.*} and
     * {@code taskhub.azure-storage.*} under the provider's prefix, with kebab-case keys ({@code pool-size}) turned
     * into the camel case the providers document ({@code poolSize}).
     */
    static Map<String, String> providerSettings(TaskhubProperties properties) {
        Map<String, String> settings = new LinkedHashMap<>(properties.getSettings());
        properties.getPostgres().forEach((k, v) -> settings.put("taskhub.postgres." + camelCase(k), v));
        properties.getAzureStorage().forEach((k, v) -> settings.put("taskhub.azure-storage." + camelCase(k), v));
        return settings;
    }

    static String camelCase(String key) {
        StringBuilder out = new StringBuilder(key.length());
        boolean upper = false;
        for (char ch : key.toCharArray()) {
            if (ch == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(ch) : ch);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim().toLowerCase(Locale.ROOT);
    }
}

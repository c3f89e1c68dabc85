package dev.taskhub.config;

import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Resolves Taskhub's configuration the same way in the library, the CLI and the server, as Durable Functions does:
 * a <em>connection string setting</em> (default {@code AzureWebJobsStorage}) names an environment variable or a key
 * in {@code taskhub.properties} in the working directory, whose value selects the provider. The task hub name comes
 * from the caller, else {@code taskhub.hubName}, else {@code DurableFunctionsHub}.
 *
 * <p>Provider settings ({@code taskhub.postgres.poolSize}, …) are read from {@code taskhub.properties} and from
 * environment variables named like them ({@code TASKHUB_POSTGRES_POOLSIZE}); the environment wins.
 * Instances are immutable and thread-safe.
 */
public final class TaskHubConfiguration {
    public static final String DEFAULT_CONNECTION_SETTING = "AzureWebJobsStorage";
    public static final String PROPERTIES_FILE = "taskhub.properties";

    private final Map<String, String> properties;
    private final Map<String, String> environment;

    private TaskHubConfiguration(Map<String, String> properties, Map<String, String> environment) {
        this.properties = Map.copyOf(properties);
        this.environment = Map.copyOf(environment);
    }

    /** Reads {@code taskhub.properties} from the working directory (if present) and the process environment. */
    public static TaskHubConfiguration load() {
        return load(Path.of(PROPERTIES_FILE), System.getenv());
    }

    public static TaskHubConfiguration load(Path propertiesFile, Map<String, String> environment) {
        Map<String, String> props = new HashMap<>();
        if (Files.isRegularFile(propertiesFile)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(propertiesFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new ConfigurationException("Cannot read " + propertiesFile + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> props.put(k, p.getProperty(k)));
        }
        return new TaskHubConfiguration(props, environment);
    }

    public static TaskHubConfiguration of(Map<String, String> properties) {
        return new TaskHubConfiguration(properties, Map.of());
    }

    /** The value of a setting: the environment variable of that name, else the property of that name. */
    public Optional<String> get(String name) {
        String env = environment.get(name);
        if (env == null) {
            env = environment.get(name.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        return Optional.ofNullable(env != null ? env : properties.get(name)).map(String::trim);
    }

    /**
     * The connection string named by {@code settingName}; empty when the setting is absent, which selects the
     * in-memory provider.
     */
    public Optional<String> connectionString(String settingName) {
        String name = settingName == null || settingName.isBlank() ? DEFAULT_CONNECTION_SETTING : settingName;
        return get(name).filter(v -> !v.isBlank());
    }

    /** The task hub name: the explicit one if given, else {@code taskhub.hubName}, else the default. */
    public String taskHubName(String explicit) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        return get("taskhub.hubName").filter(v -> !v.isBlank()).orElse(ProviderConfig.DEFAULT_TASK_HUB);
    }

    /** Every {@code taskhub.*} setting, from properties and from {@code TASKHUB_*} environment variables. */
    public Map<String, String> providerSettings() {
        Map<String, String> settings = new HashMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith("taskhub.")) {
                settings.put(k, v);
            }
        });
        environment.forEach((k, v) -> {
            if (k.startsWith("TASKHUB_")) {
                settings.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        return settings;
    }

    /** The provider configuration for a connection string setting and task hub. */
    public ProviderConfig providerConfig(String connectionSettingName, String taskHubName) {
        return new ProviderConfig(connectionString(connectionSettingName).orElse(""), taskHubName(taskHubName), providerSettings());
    }
}

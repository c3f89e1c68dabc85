package dev.taskhub.spi;

import dev.taskhub.ConfigurationException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a factory needs to create a provider.
 *
 * @param connectionString the connection string (may be {@code "inmemory"} or empty for the in-memory provider)
 * @param taskHubName      the task hub, a namespace inside the store
 * @param settings         provider settings, namespaced by provider ({@code taskhub.postgres.poolSize}, …)
 */
public record ProviderConfig(String connectionString, String taskHubName, Map<String, String> settings) {
    public static final String DEFAULT_TASK_HUB = "DurableFunctionsHub";

    public ProviderConfig {
        connectionString = connectionString == null ? "" : connectionString;
        Objects.requireNonNull(taskHubName, "taskHubName");
        if (taskHubName.isBlank()) {
            throw new ConfigurationException("The task hub name is empty. Pass a name such as 'DurableFunctionsHub'.");
        }
        settings = Map.copyOf(settings == null ? Map.of() : settings);
    }

    public static ProviderConfig of(String connectionString, String taskHubName) {
        return new ProviderConfig(connectionString, taskHubName, Map.of());
    }

    /**
     * The setting's value. An exact key wins; otherwise keys match ignoring case and treating {@code -} and {@code _}
     * as {@code .}, so that environment variables set them: {@code TASKHUB_POSTGRES_POOLSIZE} sets
     * {@code taskhub.postgres.poolSize} and {@code TASKHUB_AZURE_STORAGE_MAXRETRIES} sets
     * {@code taskhub.azure-storage.maxRetries}.
     */
    public Optional<String> setting(String key) {
        String value = settings.get(key);
        if (value == null) {
            String wanted = normalize(key);
            for (Map.Entry<String, String> entry : settings.entrySet()) {
                if (normalize(entry.getKey()).equals(wanted)) {
                    value = entry.getValue();
                    break;
                }
            }
        }
        return Optional.ofNullable(value).filter(v -> !v.isBlank());
    }

    private static String normalize(String key) {
        return key.toLowerCase(Locale.ROOT).replace('-', '.').replace('_', '.');
    }

    public int intSetting(String key, int defaultValue) {
        return setting(key).map(v -> {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new ConfigurationException("Setting '" + key + "' must be a whole number, got '" + v + "'.");
            }
        }).orElse(defaultValue);
    }

    /** Reads an ISO-8601 duration ({@code PT30S}) or a number of milliseconds. */
    public Duration durationSetting(String key, Duration defaultValue) {
        return setting(key).map(v -> {
            String text = v.trim();
            try {
                return text.chars().allMatch(Character::isDigit) ? Duration.ofMillis(Long.parseLong(text)) : Duration.parse(text);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new ConfigurationException("Setting '" + key + "' must be a duration such as PT30S or a number of milliseconds, got '" + v + "'.");
            }
        }).orElse(defaultValue);
    }

    public ProviderConfig withTaskHubName(String name) {
        return new ProviderConfig(connectionString, name, settings);
    }
}

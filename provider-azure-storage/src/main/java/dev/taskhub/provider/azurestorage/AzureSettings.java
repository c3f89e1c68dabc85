package dev.taskhub.provider.azurestorage;

import dev.taskhub.spi.support.Args;
import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The provider's settings ({@code taskhub.azure-storage.*}; the earlier {@code taskhub.azure.*} keys are still read),
 * validated.
 *
 * @param partitionCount         number of control queues (1-16)
 * @param partitionLease         blob lease on a partition (15-60 s, Azure's limits)
 * @param partitionRenewInterval how often leases are renewed and partitions rebalanced
 * @param pollMin                first back-off step when a poll found nothing
 * @param pollMax                longest back-off between polls when idle
 * @param maxRetries             SDK retries for throttling and transient errors
 * @param requestTimeout         timeout of one storage request try
 * @param workerId               this process's name in lease metadata
 * @param idleRelease            partitions are handed back when nobody asked for orchestration work for this long
 */
record AzureSettings(int partitionCount, Duration partitionLease, Duration partitionRenewInterval, Duration pollMin,
                     Duration pollMax, int maxRetries, Duration requestTimeout, String workerId, Duration idleRelease) {
    /** The settings prefix, {@code "taskhub." + name + "."} as for every provider. */
    static final String PREFIX = "taskhub." + AzureStorageProviderFactory.NAME + ".";
    /** The prefix of earlier versions, still read (with a warning) when the new key is absent. */
    static final String DEPRECATED_PREFIX = "taskhub.azure.";

    private static final Logger LOG = LoggerFactory.getLogger(AzureSettings.class);

    static AzureSettings from(ProviderConfig original) {
        ProviderConfig config = withoutDeprecatedKeys(original);
        int partitions = Args.between(PREFIX + "partitionCount", config.intSetting(PREFIX + "partitionCount", 4), 1, 16);
        Duration lease = config.durationSetting(PREFIX + "partitionLeaseDuration", Duration.ofSeconds(30));
        if (lease.compareTo(Duration.ofSeconds(15)) < 0 || lease.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new ConfigurationException("Setting '" + PREFIX + "partitionLeaseDuration' must be between PT15S and PT60S "
                    + "(Azure blob lease limits), got " + lease + ".");
        }
        Duration renew = config.durationSetting(PREFIX + "partitionRenewInterval", lease.dividedBy(3));
        if (renew.isZero() || renew.isNegative() || renew.compareTo(lease.dividedBy(2)) > 0) {
            throw new ConfigurationException("Setting '" + PREFIX + "partitionRenewInterval' must be positive and at most half "
                    + "the lease duration (" + lease.dividedBy(2) + "), got " + renew + ".");
        }
        Duration pollMin = config.durationSetting(PREFIX + "pollMinInterval", Duration.ofMillis(50));
        Duration pollMax = config.durationSetting(PREFIX + "pollMaxInterval", Duration.ofSeconds(1));
        if (pollMin.isNegative() || pollMin.isZero() || pollMax.compareTo(pollMin) < 0) {
            throw new ConfigurationException("Settings '" + PREFIX + "pollMinInterval' and '" + PREFIX + "pollMaxInterval' must be "
                    + "positive with min <= max, got " + pollMin + " and " + pollMax + ".");
        }
        int retries = Args.between(PREFIX + "maxRetries", config.intSetting(PREFIX + "maxRetries", 6), 0, 20);
        Duration timeout = config.durationSetting(PREFIX + "requestTimeout", Duration.ofSeconds(30));
        String worker = config.setting(PREFIX + "workerId").orElseGet(() ->
                ManagementFactory.getRuntimeMXBean().getName().replaceAll("[^A-Za-z0-9@._-]", "") + "-"
                        + UUID.randomUUID().toString().substring(0, 8));
        Duration idle = config.durationSetting(PREFIX + "partitionIdleRelease", Duration.ofSeconds(30));
        if (idle.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("Setting '" + PREFIX + "partitionIdleRelease' must be at least PT1S, got " + idle + ".");
        }
        return new AzureSettings(partitions, lease, renew, pollMin, pollMax, retries, timeout, worker, idle);
    }

    /**
     * The configuration with every {@code taskhub.azure.*} setting also set under {@code taskhub.azure-storage.*},
     * unless set there already (the new name wins). Logs one warning naming the deprecated keys found.
     */
    static ProviderConfig withoutDeprecatedKeys(ProviderConfig config) {
        Map<String, String> settings = new HashMap<>(config.settings());
        List<String> deprecated = new ArrayList<>();
        config.settings().forEach((key, value) -> {
            // Matches the environment's spelling too (TASKHUB_AZURE_MAXRETRIES arrives as taskhub.azure.maxretries),
            // but not the new prefix's (taskhub.azure.storage.maxretries from TASKHUB_AZURE_STORAGE_MAXRETRIES).
            String lower = key.toLowerCase(Locale.ROOT);
            if (lower.startsWith(DEPRECATED_PREFIX) && !lower.startsWith(DEPRECATED_PREFIX + "storage.")) {
                String name = key.substring(DEPRECATED_PREFIX.length());
                if (config.setting(PREFIX + name).isEmpty()) {
                    settings.put(PREFIX + name, value);
                }
                deprecated.add(key);
            }
        });
        if (deprecated.isEmpty()) {
            return config;
        }
        deprecated.sort(null);
        LOG.warn("Settings {} use the deprecated prefix '{}'; rename them to '{}…' (environment: TASKHUB_AZURE_STORAGE_…).",
                deprecated, DEPRECATED_PREFIX, PREFIX);
        return new ProviderConfig(config.connectionString(), config.taskHubName(), settings);
    }
}

package dev.taskhub.provider.azurestorage;

import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

/**
 * The provider's settings ({@code taskhub.azure.*}), validated.
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
    static final String PREFIX = "taskhub.azure.";

    static AzureSettings from(ProviderConfig config) {
        int partitions = config.intSetting(PREFIX + "partitionCount", 4);
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
        int retries = config.intSetting(PREFIX + "maxRetries", 6);
        if (retries < 0 || retries > 20) {
            throw new ConfigurationException("Setting '" + PREFIX + "maxRetries' must be between 0 and 20, got " + retries + ".");
        }
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
}

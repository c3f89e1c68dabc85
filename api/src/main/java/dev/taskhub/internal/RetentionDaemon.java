package dev.taskhub.internal;

import dev.taskhub.retention.RetentionEnforcer;
import dev.taskhub.spi.StorageProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A worker's background retention: one {@link RetentionEnforcer} pass every interval on a daemon thread of its own,
 * bounded per policy. The first pass comes after a random part of the interval, so workers started together spread
 * their passes. A failing pass is logged (WARN) and the next one runs as planned; nothing is thrown out of the thread.
 */
final class RetentionDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionDaemon.class);

    private final RetentionEnforcer enforcer;
    private final String taskHub;
    private final Duration interval;
    private final int limit;
    private ScheduledExecutorService executor;

    RetentionDaemon(StorageProvider provider, Clock clock, Duration interval, int limit) {
        this.enforcer = new RetentionEnforcer(provider, clock);
        this.taskHub = provider.taskHubName();
        this.interval = interval;
        this.limit = limit;
    }

    synchronized void start() {
        if (interval.isZero() || executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "taskhub-retention");
            t.setDaemon(true);
            return t;
        });
        long every = interval.toMillis();
        executor.scheduleWithFixedDelay(this::pass, ThreadLocalRandom.current().nextLong(every), every, TimeUnit.MILLISECONDS);
    }

    private void pass() {
        try {
            enforcer.runOnce(limit);
        } catch (RuntimeException | Error e) {
            LOG.warn("Retention pass on task hub '{}' failed ({}); the next pass runs in {} ms", taskHub, e.toString(),
                    interval.toMillis());
        }
    }

    /** Lets a pass in progress finish (a few seconds at most), then stops. */
    synchronized void stop() throws InterruptedException {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
            executor.shutdownNow();
        }
    }
}

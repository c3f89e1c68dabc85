package dev.taskhub.micrometer;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gauge {@code taskhub.instances} (tags {@code hub}, {@code orchestration}, {@code status}): how many instances
 * of the task hub have each orchestration name and runtime status, from {@link TaskHubClient#countInstances}. The
 * counts are read once per refresh interval on a background thread, not per scrape, so a scrape never waits for
 * storage (PostgreSQL keeps the counts in a table; other stores count by scanning, see docs/operations.md). A
 * (name, status) pair that has no instances any more drops out at the next refresh.
 *
 * <p>Lifecycle: {@link #start()} reads the counts once and schedules the refresh; {@link #close()} stops it and
 * removes the gauges. Does not close the client. Thread-safe.
 */
public final class InstanceStatusGauges implements AutoCloseable {
    static final String INSTANCES = "taskhub.instances";
    /** The default refresh interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(InstanceStatusGauges.class);

    private final TaskHubClient client;
    private final Duration interval;
    private final MultiGauge gauge;
    private final String hub;
    private final Tags tags;
    private ScheduledExecutorService scheduler;
    private volatile boolean failing;

    private InstanceStatusGauges(TaskHubClient client, MeterRegistry registry, Duration interval, Tags tags) {
        this.client = Objects.requireNonNull(client, "client");
        Objects.requireNonNull(registry, "registry");
        if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidRequestException("The refresh interval of the instance gauges must be at least 1 second, got "
                    + interval + ".");
        }
        this.interval = interval;
        this.hub = client.taskHubName();
        this.tags = tags;
        this.gauge = MultiGauge.builder(INSTANCES).description("Instances of the task hub per orchestration name and runtime status")
                .baseUnit("instances").register(registry);
    }

    /** Gauges of {@code client}'s task hub in {@code registry}, refreshed every {@code interval} (at least 1 s) once started. */
    public static InstanceStatusGauges create(TaskHubClient client, MeterRegistry registry, Duration interval) {
        return new InstanceStatusGauges(client, registry, interval, Tags.empty());
    }

    /** As {@link #create(TaskHubClient, MeterRegistry, Duration)}, with tags added to every gauge. */
    public static InstanceStatusGauges create(TaskHubClient client, MeterRegistry registry, Duration interval, Tags tags) {
        return new InstanceStatusGauges(client, registry, interval, Objects.requireNonNull(tags, "tags"));
    }

    /** Reads the counts now and then every interval. Idempotent. */
    public synchronized InstanceStatusGauges start() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "taskhub-instance-gauges");
                t.setDaemon(true);
                return t;
            });
            scheduler.scheduleWithFixedDelay(this::refreshQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Reads the counts and updates the gauges now (the background refresh does this every interval). Throws the
     * storage error, if any.
     */
    public void refresh() {
        InstanceCounts counts = client.countInstances(InstanceQuery.builder().build());
        List<MultiGauge.Row<?>> rows = new ArrayList<>(counts.rows().size());
        for (InstanceCounts.Row row : counts.rows()) {
            rows.add(MultiGauge.Row.of(tags.and("hub", hub, "orchestration", row.name(), "status", row.status().wireName()),
                    row.count()));
        }
        gauge.register(rows, true);
    }

    private void refreshQuietly() {
        try {
            refresh();
            if (failing) {
                failing = false;
                log.info("Instance counts of task hub '{}' can be read again", hub);
            }
        } catch (RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn("Reading the instance counts of task hub '{}' failed; the gauges keep their last values and the "
                        + "read is retried every {}: {}", hub, interval, e.toString());
            }
        }
    }

    /** Stops the refresh and removes the gauges. */
    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        gauge.register(List.of(), true);
    }
}

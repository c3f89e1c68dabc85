package dev.taskhub.micrometer;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.observe.ActivityReport;
import dev.taskhub.observe.EpisodeReport;
import dev.taskhub.observe.TaskHubObserver;
import dev.taskhub.observe.WorkerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Worker metrics in a Micrometer {@link MeterRegistry}: orchestrations started and ended per orchestration name,
 * end-to-end, episode and activity execution latencies, the backlog age (schedule-to-start latency), work in flight
 * against capacity, and history cache hits. Register it with the worker:
 *
 * <pre>{@code
 * TaskHubWorker worker = TaskHubWorker.builder(provider)
 *         .addOrchestrator(...)
 *         .options(WorkerOptions.builder().addObserver(TaskHubMetrics.of(registry)).build())
 *         .build();
 * }</pre>
 *
 * <p>Meters are made the first time they are needed and then reused (no registry lookup per event). Every meter has
 * the tag {@code hub} (the task hub name) plus the common tags given to the builder. The names and tags are listed
 * in docs/observability.md. Thread-safe; one instance may observe several workers (their gauges get a {@code worker}
 * tag of their own). Instances by status come from {@link InstanceStatusGauges}.
 */
public final class TaskHubMetrics implements TaskHubObserver {
    static final String STARTED = "taskhub.orchestration.started";
    static final String COMPLETED = "taskhub.orchestration.completed";
    static final String FAILED = "taskhub.orchestration.failed";
    static final String TERMINATED = "taskhub.orchestration.terminated";
    static final String CONTINUED = "taskhub.orchestration.continued.as.new";
    static final String END_TO_END = "taskhub.orchestration.endtoend.latency";
    static final String EPISODE = "taskhub.episode.latency";
    static final String SCHEDULE_TO_START = "taskhub.episode.schedule.to.start.latency";
    static final String ACTIVITY = "taskhub.activity.execution.latency";
    static final String CACHE = "taskhub.history.cache.requests";
    static final String ACTIVITIES_IN_FLIGHT = "taskhub.worker.activities.in.flight";
    static final String ACTIVITY_CAPACITY = "taskhub.worker.activities.capacity";
    static final String EPISODES_IN_FLIGHT = "taskhub.worker.episodes.in.flight";
    static final String EPISODE_CAPACITY = "taskhub.worker.episodes.capacity";

    private final MeterRegistry registry;
    private final Tags commonTags;
    private final boolean histograms;
    /** Meters per hub, then per orchestration or activity name (no key is built per event). */
    private final Map<String, Map<String, Orchestration>> orchestrations = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Activity>> activities = new ConcurrentHashMap<>();
    private final Map<String, Counter[]> cache = new ConcurrentHashMap<>();
    private final Map<WorkerState, List<Meter>> workerGauges = new ConcurrentHashMap<>();
    private final AtomicInteger workers = new AtomicInteger();

    private TaskHubMetrics(Builder b) {
        this.registry = b.registry;
        this.commonTags = b.tags;
        this.histograms = b.histograms;
    }

    /** Metrics in {@code registry}, no common tags, no percentile histograms. */
    public static TaskHubMetrics of(MeterRegistry registry) {
        return builder(registry).build();
    }

    /** A builder of metrics in {@code registry}. */
    public static Builder builder(MeterRegistry registry) {
        return new Builder(registry);
    }

    /** The registry the meters are in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The meters of one orchestration name in one hub. */
    private final class Orchestration {
        final Counter started;
        final Counter completed;
        final Counter failed;
        final Counter terminated;
        final Counter continued;
        final Timer episode;
        final Timer scheduleToStart;
        final Map<RuntimeStatus, Timer> endToEnd = new ConcurrentHashMap<>();
        final Tags tags;

        Orchestration(String hub, String name) {
            tags = commonTags.and("hub", hub, "orchestration", name);
            started = counter(STARTED, "Orchestration executions started", tags);
            completed = counter(COMPLETED, "Orchestration executions completed", tags);
            failed = counter(FAILED, "Orchestration executions failed", tags);
            terminated = counter(TERMINATED, "Orchestration executions terminated", tags);
            continued = counter(CONTINUED, "Orchestration executions continued as new", tags);
            episode = timer(EPISODE, "Time to run one episode (replay and new work, commit excluded)", tags);
            scheduleToStart = timer(SCHEDULE_TO_START,
                    "How long an episode's oldest message waited between becoming due and the episode beginning", tags);
        }

        Timer endToEnd(RuntimeStatus status) {
            return endToEnd.computeIfAbsent(status, s -> timer(END_TO_END,
                    "Time from the start of an orchestration execution to its end", tags.and("status", s.wireName())));
        }
    }

    /** The meters of one activity name in one hub. */
    private final class Activity {
        final Timer succeeded;
        final Timer failed;

        Activity(String hub, String name) {
            Tags tags = commonTags.and("hub", hub, "activity", name);
            succeeded = timer(ACTIVITY, "Time an activity ran on a worker", tags.and("outcome", "success"));
            failed = timer(ACTIVITY, "Time an activity ran on a worker", tags.and("outcome", "failure"));
        }
    }

    private Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    private Timer timer(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram(histograms).register(registry);
    }

    @Override
    public void episodeCommitted(EpisodeReport e) {
        String name = e.name() == null ? "" : e.name();
        Orchestration m = orchestrations.computeIfAbsent(e.taskHubName(), hub -> new ConcurrentHashMap<>())
                .computeIfAbsent(name, n -> new Orchestration(e.taskHubName(), n));
        m.episode.record(e.duration());
        m.scheduleToStart.record(e.scheduleToStart());
        if (e.historySource() != EpisodeReport.HistorySource.NEW) {
            Counter[] hitMiss = cache.computeIfAbsent(e.taskHubName(), hub -> new Counter[] {
                    counter(CACHE, "Episodes whose history came from the worker's cache (hit) or from storage (miss)",
                            commonTags.and("hub", hub, "result", "hit")),
                    counter(CACHE, "Episodes whose history came from the worker's cache (hit) or from storage (miss)",
                            commonTags.and("hub", hub, "result", "miss"))});
            hitMiss[e.historySource() == EpisodeReport.HistorySource.CACHE ? 0 : 1].increment();
        }
        if (e.started()) {
            m.started.increment();
        }
        if (e.finished()) {
            switch (e.status()) {
                case COMPLETED -> m.completed.increment();
                case FAILED -> m.failed.increment();
                case TERMINATED -> m.terminated.increment();
                case CONTINUED_AS_NEW -> m.continued.increment();
                default -> { }
            }
            HistoryEvent.ExecutionStarted start = e.executionStarted();
            if (start != null && start.timestamp() != null) {
                Duration latency = Duration.between(start.timestamp(), e.startedAt().plus(e.duration()));
                m.endToEnd(e.status()).record(latency.isNegative() ? Duration.ZERO : latency);
            }
        }
    }

    @Override
    public void activityExecuted(ActivityReport a) {
        Activity m = activities.computeIfAbsent(a.taskHubName(), hub -> new ConcurrentHashMap<>())
                .computeIfAbsent(a.name(), n -> new Activity(a.taskHubName(), n));
        (a.succeeded() ? m.succeeded : m.failed).record(a.duration());
    }

    @Override
    public void workerStarted(WorkerState worker) {
        Tags tags = commonTags.and("hub", worker.taskHubName(), "worker", Integer.toString(workers.incrementAndGet()));
        List<Meter> meters = new ArrayList<>(4);
        meters.add(Gauge.builder(ACTIVITIES_IN_FLIGHT, worker, WorkerState::activitiesInFlight).strongReference(true)
                .description("Activity slots in use (running, or reporting their result)").tags(tags).register(registry));
        meters.add(Gauge.builder(ACTIVITY_CAPACITY, worker, WorkerState::activityCapacity).strongReference(true)
                .description("Activity slots of the worker").tags(tags).register(registry));
        meters.add(Gauge.builder(EPISODES_IN_FLIGHT, worker, WorkerState::episodesInFlight).strongReference(true)
                .description("Instances locked for an episode").tags(tags).register(registry));
        meters.add(Gauge.builder(EPISODE_CAPACITY, worker, WorkerState::episodeCapacity).strongReference(true)
                .description("The most instances the worker locks at once").tags(tags).register(registry));
        workerGauges.put(worker, meters);
    }

    @Override
    public void workerStopped(WorkerState worker) {
        List<Meter> meters = workerGauges.remove(worker);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }

    @Override
    public String toString() {
        return "TaskHubMetrics[" + registry.getClass().getSimpleName() + "]";
    }

    /** Builder of {@link TaskHubMetrics}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private Tags tags = Tags.empty();
        private boolean histograms;

        private Builder(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Tags added to every meter (for example the application or the region). */
        public Builder tags(Iterable<Tag> value) {
            this.tags = Tags.of(Objects.requireNonNull(value, "tags"));
            return this;
        }

        /** Tags added to every meter, as key, value pairs. */
        public Builder tags(String... keyValues) {
            this.tags = Tags.of(keyValues);
            return this;
        }

        /** Whether the timers publish percentile histograms (for Prometheus {@code histogram_quantile}); default false. */
        public Builder percentileHistograms(boolean value) {
            this.histograms = value;
            return this;
        }

        public TaskHubMetrics build() {
            return new TaskHubMetrics(this);
        }
    }
}

package dev.taskhub.testing;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.activity.Activity;
import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.provider.inmemory.InMemoryStorageProvider;
import dev.taskhub.provider.inmemory.VirtualClock;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.support.Ids;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.TaskModule;
import dev.taskhub.worker.TaskRegistry;
import dev.taskhub.worker.WorkerOptions;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A task hub for one test: a private in-memory hub, a started worker and a client, all on a {@link VirtualClock}.
 * Virtual time stands still while the test code runs, so nothing fires behind its back; it skips ahead while the test
 * waits for an instance ({@link #waitForCompletion(String)}) and every instance is waiting (no work ready, no episode or
 * activity running): a 30-day timer fires as soon as the hub has nothing else to do. {@link #advance(Duration)} moves
 * time explicitly, letting the work due on the way run in order. With {@link Builder#autoSkipTime(boolean)
 * autoSkipTime(false)} only {@code advance} moves time.
 *
 * <p>Build one with {@link #builder()} and close it after the test, or let {@link TaskhubExtension} do both.
 * Thread-safe; the waits block the calling thread.
 */
public final class TestTaskHub implements AutoCloseable {
    /** How long the waits block in real time before they give up. */
    public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(30);

    private final VirtualClock clock;
    private final InMemoryStorageProvider provider;
    private final TaskHubWorker worker;
    private final TaskHubClient client;
    private final Duration waitTimeout;
    private volatile boolean autoSkipTime;

    private TestTaskHub(Builder b) {
        this.clock = new VirtualClock(b.startTime != null ? b.startTime : Instant.now().truncatedTo(ChronoUnit.MILLIS));
        this.provider = InMemoryStorageProvider.create("TestHub" + Ids.random().substring(0, 12), clock);
        TaskHubWorker.Builder wb = TaskHubWorker.builder(provider).options(b.workerOptions).clock(clock);
        b.registrations.forEach(r -> wb.addModule(r::accept));
        this.worker = wb.build().start();
        this.client = new TaskHubClient(provider, HttpManagementOptions.builder().taskHub(provider.taskHubName()).build(),
                clock, b.workerOptions.dataConverter());
        this.waitTimeout = b.waitTimeout;
        this.autoSkipTime = b.autoSkipTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The client of the hub (on the virtual clock). Its own waits do not skip time; use this class's waits. */
    public TaskHubClient client() {
        return client;
    }

    /** The running worker. */
    public TaskHubWorker worker() {
        return worker;
    }

    /** The in-memory storage of the hub, e.g. to read it through the SPI. */
    public StorageProvider provider() {
        return provider;
    }

    /** The virtual clock that the worker, the client and the hub read. */
    public VirtualClock clock() {
        return clock;
    }

    /** The current virtual time. */
    public Instant now() {
        return clock.instant();
    }

    /** Turns automatic time skipping on or off for the rest of the test. */
    public void autoSkipTime(boolean value) {
        this.autoSkipTime = value;
    }

    /** Starts an instance of {@code orchestrator} with {@code input}; returns its id. */
    public String start(String orchestrator, Object input) {
        return client.scheduleNewOrchestrationInstance(orchestrator, input);
    }

    /**
     * Waits until the instance finishes (completed, failed or terminated) and returns its status with input and
     * output. Meanwhile time skips ahead whenever every instance is waiting (unless automatic skipping is off).
     * Throws {@link AssertionError} when the instance has not finished after {@link Builder#waitTimeout} of real time,
     * with what it is waiting for.
     */
    public OrchestrationMetadata waitForCompletion(String instanceId) {
        try (VirtualClock.SkipPermit ignored = autoSkipTime ? clock.unlockSkipping() : null) {
            OrchestrationMetadata m = client.waitForInstanceCompletion(instanceId, waitTimeout, Duration.ofMillis(20));
            if (!m.runtimeStatus().isTerminal()) {
                throw new AssertionError("Instance '" + instanceId + "' did not finish within " + waitTimeout
                        + " of real time; it is " + m.runtimeStatus() + " at virtual time " + now()
                        + (autoSkipTime ? " with nothing due (is it waiting for an event?)" : " (automatic time skipping is off: advance the clock)")
                        + ". Its history: " + HistoryAssert.summary(client.getHistory(instanceId)));
            }
            return m;
        }
    }

    /**
     * Moves virtual time forward by {@code duration}. Timers and retries due on the way fire in order, each once the
     * work before it is done, so the instances see the same sequence as in real time. Throws {@link AssertionError}
     * when work kept the hub busy for {@link Builder#waitTimeout} of real time (an activity that never returns).
     */
    public void advance(Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new InvalidRequestException("The duration to advance must not be negative, got " + duration + ".");
        }
        Instant target = now().plus(duration);
        clock.allowSkippingTo(target);
        boolean reached;
        try {
            reached = clock.awaitTime(target, waitTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while advancing the clock to " + target, e);
        }
        if (!reached) {
            throw new AssertionError("Virtual time could not advance to " + target + " within " + waitTimeout
                    + " of real time: work kept the hub busy (an activity or orchestrator that does not return?). It is " + now() + ".");
        }
    }

    /** The history of the instance's current execution. */
    public List<HistoryEvent> history(String instanceId) {
        return client.getHistory(instanceId);
    }

    /** Assertions on the instance's current history and status. */
    public HistoryAssert assertThat(String instanceId) {
        return new HistoryAssert(instanceId, client.getHistory(instanceId),
                client.getInstanceMetadata(instanceId, true).orElse(null), client.dataConverter());
    }

    /** Stops the worker and drops the hub. */
    @Override
    public void close() {
        worker.close();
        provider.deleteTaskHub();
        provider.close();
    }

    /** Builder for {@link TestTaskHub} (and, through {@link TaskhubExtension.Builder}, for the extension). */
    public static final class Builder {
        private final List<Consumer<TaskRegistry>> registrations = new ArrayList<>();
        private Instant startTime;
        private boolean autoSkipTime = true;
        private Duration waitTimeout = DEFAULT_WAIT_TIMEOUT;
        private WorkerOptions workerOptions = WorkerOptions.builder().pollWait(Duration.ofMillis(100))
                .shutdownTimeout(Duration.ofSeconds(2)).build();

        Builder() {
        }

        public Builder addOrchestrator(String name, Orchestrator<?> orchestrator) {
            registrations.add(r -> r.addOrchestrator(name, orchestrator));
            return this;
        }

        public Builder addActivity(String name, Activity<?> activity) {
            registrations.add(r -> r.addActivity(name, activity));
            return this;
        }

        /** Registers what a module contributes. */
        public Builder addModule(TaskModule module) {
            Objects.requireNonNull(module, "module");
            registrations.add(module::register);
            return this;
        }

        /** Registers anything on the worker's registry, e.g. {@code SamplesModule::register} style methods. */
        public Builder register(Consumer<TaskRegistry> registration) {
            registrations.add(Objects.requireNonNull(registration, "registration"));
            return this;
        }

        /** The virtual time the hub starts at (default: the real time when the hub is built). */
        public Builder startTime(Instant value) {
            this.startTime = Objects.requireNonNull(value, "startTime");
            return this;
        }

        /** Whether time skips ahead while the test waits for an instance (default true). */
        public Builder autoSkipTime(boolean value) {
            this.autoSkipTime = value;
            return this;
        }

        /** How long the waits block in real time (default 30 s). */
        public Builder waitTimeout(Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new InvalidRequestException("waitTimeout must be positive, got " + value + ".");
            }
            this.waitTimeout = value;
            return this;
        }

        /** The worker's options (default: quick polling and shutdown for tests); its data converter is the client's too. */
        public Builder workerOptions(WorkerOptions value) {
            this.workerOptions = Objects.requireNonNull(value, "workerOptions");
            return this;
        }

        /** The worker's and the client's data converter. */
        public Builder dataConverter(DataConverter value) {
            this.workerOptions = workerOptions.toBuilder().dataConverter(value).build();
            return this;
        }

        /** A started hub; close it after the test. */
        public TestTaskHub build() {
            return new TestTaskHub(this);
        }
    }
}

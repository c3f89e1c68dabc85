package dev.taskhub.spring.boot;

import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.observe.TaskHubObserver;
import dev.taskhub.spi.StorageProvider;

import java.time.Clock;
import java.util.Objects;

/**
 * The parts the auto-configured {@link TaskHubClient} is made of, handed to each {@link TaskhubClientCustomizer}
 * before the client is built. Not thread-safe; used once, while the context starts.
 */
public final class TaskhubClientBuilder {
    private StorageProvider provider;
    private DataConverter dataConverter;
    private HttpManagementOptions httpManagementOptions;
    private Clock clock = Clock.systemUTC();
    private TaskHubObserver observer = TaskHubObserver.NONE;

    TaskhubClientBuilder(StorageProvider provider, DataConverter dataConverter, HttpManagementOptions httpManagementOptions) {
        this.provider = provider;
        this.dataConverter = dataConverter;
        this.httpManagementOptions = httpManagementOptions;
    }

    /** The storage provider the client talks to (the provider bean, unless a customizer wrapped it). */
    public StorageProvider provider() {
        return provider;
    }

    /** Replaces the storage provider, e.g. with a wrapper that delegates to {@link #provider()}; the wrapper is not closed by the starter. */
    public TaskhubClientBuilder provider(StorageProvider value) {
        this.provider = Objects.requireNonNull(value, "provider");
        return this;
    }

    public DataConverter dataConverter() {
        return dataConverter;
    }

    /** The converter of payloads; the worker must use the same one (declare a {@code DataConverter} bean for both). */
    public TaskhubClientBuilder dataConverter(DataConverter value) {
        this.dataConverter = Objects.requireNonNull(value, "dataConverter");
        return this;
    }

    public HttpManagementOptions httpManagementOptions() {
        return httpManagementOptions;
    }

    /** Where the management URLs of {@link TaskHubClient#createHttpManagementPayload} point. */
    public TaskhubClientBuilder httpManagementOptions(HttpManagementOptions value) {
        this.httpManagementOptions = Objects.requireNonNull(value, "httpManagementOptions");
        return this;
    }

    public Clock clock() {
        return clock;
    }

    public TaskhubClientBuilder clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    /** The client's observer ({@link TaskHubObserver#NONE} unless a customizer set or added one). */
    public TaskHubObserver observer() {
        return observer;
    }

    /** Replaces the client's observer; see {@link #addObserver} to keep the ones already set. */
    public TaskhubClientBuilder observer(TaskHubObserver value) {
        this.observer = Objects.requireNonNull(value, "observer");
        return this;
    }

    /**
     * Adds an observer to the ones already set (e.g. {@code TaskHubTracing}, so that starts join the caller's trace);
     * they are combined with {@link TaskHubObserver#of}.
     */
    public TaskhubClientBuilder addObserver(TaskHubObserver value) {
        this.observer = TaskHubObserver.of(observer, Objects.requireNonNull(value, "observer"));
        return this;
    }

    TaskHubClient build() {
        TaskHubClient client = new TaskHubClient(provider, httpManagementOptions, clock, dataConverter);
        return observer == TaskHubObserver.NONE ? client : client.withObserver(observer);
    }
}

package dev.taskhub.testing;

import dev.taskhub.activity.Activity;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.provider.inmemory.VirtualClock;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.TaskModule;
import dev.taskhub.worker.TaskRegistry;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;

/**
 * JUnit 5 extension that gives each test its own {@link TestTaskHub}: a started worker, a client and a private
 * in-memory task hub on a virtual clock, closed after the test. Register it with the orchestrators and activities under
 * test:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TaskhubExtension taskhub = TaskhubExtension.builder().addModule(new SamplesModule()).build();
 *
 * @Test
 * void escalatesAfterThirtyDays(TestTaskHub hub) {
 *     String id = hub.start("E4_HumanApproval", 30 * 24 * 3600);
 *     hub.waitForCompletion(id);              // the 30-day timer fires as soon as nothing else is left to do
 *     hub.assertThat(id).calledActivities("E4_RequestApproval").completedWith("Escalated: no approval in time");
 * }
 * }</pre>
 *
 * Test methods (and {@code @BeforeEach} methods) may take a {@link TestTaskHub}, {@link TaskHubClient},
 * {@link TaskHubWorker}, {@link StorageProvider} or {@link VirtualClock} parameter. {@code @ExtendWith(TaskhubExtension.class)}
 * works too and registers the {@link TaskModule}s found on the class path. Thread-safe: parallel tests each get a hub.
 */
public final class TaskhubExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TaskhubExtension.class);
    private static final Set<Class<?>> PARAMETER_TYPES = Set.of(TestTaskHub.class, TaskHubClient.class, TaskHubWorker.class,
            StorageProvider.class, VirtualClock.class);

    private final TestTaskHub.Builder hubs;

    /** The extension used through {@code @ExtendWith}: the {@link TaskModule}s on the class path, default options. */
    public TaskhubExtension() {
        this(TestTaskHub.builder().register(TaskRegistry::addModulesFromClassPath));
    }

    private TaskhubExtension(TestTaskHub.Builder hubs) {
        this.hubs = hubs;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        hub(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestTaskHub hub = context.getStore(NAMESPACE).remove(TestTaskHub.class, TestTaskHub.class);
        if (hub != null) {
            hub.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) throws ParameterResolutionException {
        return PARAMETER_TYPES.contains(parameter.getParameter().getType());
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) throws ParameterResolutionException {
        TestTaskHub hub = hub(context);
        Class<?> type = parameter.getParameter().getType();
        if (type == TaskHubClient.class) return hub.client();
        if (type == TaskHubWorker.class) return hub.worker();
        if (type == StorageProvider.class) return hub.provider();
        if (type == VirtualClock.class) return hub.clock();
        return hub;
    }

    private TestTaskHub hub(ExtensionContext context) {
        synchronized (this) {
            return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestTaskHub.class, k -> hubs.build(), TestTaskHub.class);
        }
    }

    /** Builder for {@link TaskhubExtension}; the settings of {@link TestTaskHub.Builder}, applied to each test's hub. */
    public static final class Builder {
        private final TestTaskHub.Builder hubs = TestTaskHub.builder();

        private Builder() {
        }

        public Builder addOrchestrator(String name, Orchestrator<?> orchestrator) { hubs.addOrchestrator(name, orchestrator); return this; }

        public Builder addActivity(String name, Activity<?> activity) { hubs.addActivity(name, activity); return this; }

        public Builder addModule(TaskModule module) { hubs.addModule(module); return this; }

        public Builder register(Consumer<TaskRegistry> registration) { hubs.register(registration); return this; }

        /** The virtual time each test starts at (default: the real time when the test starts). */
        public Builder startTime(Instant value) { hubs.startTime(value); return this; }

        /** Whether time skips ahead while a test waits for an instance (default true). */
        public Builder autoSkipTime(boolean value) { hubs.autoSkipTime(value); return this; }

        /** How long waits block in real time (default 30 s). */
        public Builder waitTimeout(Duration value) { hubs.waitTimeout(value); return this; }

        public Builder workerOptions(WorkerOptions value) { hubs.workerOptions(value); return this; }

        public Builder dataConverter(DataConverter value) { hubs.dataConverter(value); return this; }

        public TaskhubExtension build() {
            return new TaskhubExtension(hubs);
        }
    }
}

package dev.taskhub.micrometer;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.provider.inmemory.InMemoryStorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TaskHubMetricsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CountDownLatch release = new CountDownLatch(1);
    private InMemoryStorageProvider provider;
    private TaskHubClient client;
    private TaskHubWorker worker;

    @BeforeEach
    void start() {
        provider = InMemoryStorageProvider.create("MetricsHub", Clock.systemUTC());
        provider.createTaskHub();
        client = new TaskHubClient(provider);
        worker = TaskHubWorker.builder(provider)
                .addOrchestrator("Hello", ctx -> ctx.callActivity("Say", "a", String.class).await()
                        + ctx.callActivity("Say", "b", String.class).await())
                .addOrchestrator("Broken", ctx -> ctx.callActivity("Fail", null, String.class).await())
                .addOrchestrator("Waits", ctx -> ctx.waitForExternalEvent("never", String.class).await())
                .addOrchestrator("Blocks", ctx -> ctx.callActivity("Slow", null, String.class).await())
                .addActivity("Say", ctx -> {
                    Thread.sleep(20);
                    return "hi " + ctx.getInput(String.class);
                })
                .addActivity("Fail", ctx -> {
                    throw new IllegalStateException("no");
                })
                .addActivity("Slow", ctx -> release.await(30, TimeUnit.SECONDS))
                .options(WorkerOptions.builder().activityConcurrency(8).orchestrationConcurrency(2).orchestrationBatchSize(4)
                        .addObserver(TaskHubMetrics.builder(registry).tags("app", "test").build()).build())
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        worker.close();
        provider.close();
    }

    @Test
    void aRealWorker_recordsStartsEndsLatenciesCapacityAndCacheHits() {
        for (int i = 0; i < 3; i++) {
            String id = client.scheduleNewOrchestrationInstance("Hello", null);
            assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        }
        String broken = client.scheduleNewOrchestrationInstance("Broken", null);
        assertThat(client.waitForInstanceCompletion(broken, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
        String waits = client.scheduleNewOrchestrationInstance("Waits", null);
        client.waitForInstanceStart(waits, WAIT);
        await().atMost(WAIT).until(() -> counter(TaskHubMetrics.STARTED, "Waits") == 1);
        client.terminate(waits, "enough");
        assertThat(client.waitForInstanceCompletion(waits, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.TERMINATED);

        // the commit that ends an instance comes before the observer hears of it: wait for the counters
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(counter(TaskHubMetrics.STARTED, "Hello")).isEqualTo(3);
            assertThat(counter(TaskHubMetrics.COMPLETED, "Hello")).isEqualTo(3);
            assertThat(counter(TaskHubMetrics.FAILED, "Broken")).isEqualTo(1);
            assertThat(counter(TaskHubMetrics.TERMINATED, "Waits")).isEqualTo(1);
        });
        assertThat(counter(TaskHubMetrics.FAILED, "Hello")).isZero();
        assertThat(counter(TaskHubMetrics.COMPLETED, "Broken")).isZero();

        Timer endToEnd = registry.get(TaskHubMetrics.END_TO_END).tags("orchestration", "Hello", "status", "Completed").timer();
        assertThat(endToEnd.count()).isEqualTo(3);
        // two activities of at least 20 ms each, one after the other
        assertThat(endToEnd.totalTime(TimeUnit.MILLISECONDS) / 3).isGreaterThanOrEqualTo(40);
        assertThat(registry.get(TaskHubMetrics.END_TO_END).tags("orchestration", "Broken", "status", "Failed").timer().count())
                .isEqualTo(1);

        // Hello: start, then one episode per activity result
        assertThat(registry.get(TaskHubMetrics.EPISODE).tags("orchestration", "Hello", "app", "test", "hub", "MetricsHub")
                .timer().count()).isEqualTo(9);
        assertThat(registry.get(TaskHubMetrics.SCHEDULE_TO_START).tags("orchestration", "Hello").timer().count()).isEqualTo(9);

        Timer say = registry.get(TaskHubMetrics.ACTIVITY).tags("activity", "Say", "outcome", "success").timer();
        assertThat(say.count()).isEqualTo(6);
        assertThat(say.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(6 * 20.0);
        assertThat(registry.get(TaskHubMetrics.ACTIVITY).tags("activity", "Fail", "outcome", "failure").timer().count()).isEqualTo(1);

        // the episodes after the first of each instance find its history in the worker's cache
        double hits = registry.get(TaskHubMetrics.CACHE).tags("result", "hit").counter().count();
        double misses = registry.get(TaskHubMetrics.CACHE).tags("result", "miss").counter().count();
        assertThat(hits).isGreaterThanOrEqualTo(6);
        assertThat(misses).isLessThan(hits);
    }

    @Test
    void capacityGauges_showWorkInFlight_andGoAwayWhenTheWorkerStops() {
        assertThat(gauge(TaskHubMetrics.ACTIVITY_CAPACITY)).isEqualTo(8);
        assertThat(gauge(TaskHubMetrics.EPISODE_CAPACITY)).isEqualTo(8);
        assertThat(gauge(TaskHubMetrics.ACTIVITIES_IN_FLIGHT)).isZero();

        String id = client.scheduleNewOrchestrationInstance("Blocks", null);
        await().atMost(WAIT).until(() -> gauge(TaskHubMetrics.ACTIVITIES_IN_FLIGHT) == 1);
        release.countDown();
        assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        await().atMost(WAIT).until(() -> gauge(TaskHubMetrics.ACTIVITIES_IN_FLIGHT) == 0);

        worker.close();
        assertThat(registry.find(TaskHubMetrics.ACTIVITY_CAPACITY).gauges()).isEmpty();
    }

    @Test
    void instanceGauges_countInstancesByNameAndStatus() {
        String waiting = client.scheduleNewOrchestrationInstance("Waits", null);
        client.waitForInstanceStart(waiting, WAIT);
        String hello = client.scheduleNewOrchestrationInstance("Hello", null);
        client.waitForInstanceCompletion(hello, WAIT);
        await().atMost(WAIT).until(() -> client.getInstanceMetadata(waiting, false).orElseThrow().runtimeStatus() == RuntimeStatus.RUNNING);

        try (InstanceStatusGauges gauges = InstanceStatusGauges.create(client, registry, Duration.ofSeconds(1))) {
            gauges.refresh();
            assertThat(instances("Waits", "Running")).isEqualTo(1);
            assertThat(instances("Hello", "Completed")).isEqualTo(1);
            assertThat(registry.find(InstanceStatusGauges.INSTANCES).tags("orchestration", "Hello", "status", "Running").gauge()).isNull();

            // the background refresh follows a change without a call
            gauges.start();
            client.terminate(waiting, "done");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(instances("Waits", "Terminated")).isEqualTo(1);
                assertThat(registry.find(InstanceStatusGauges.INSTANCES).tags("orchestration", "Waits", "status", "Running")
                        .gauge()).isNull();
            });
        }
        assertThat(registry.find(InstanceStatusGauges.INSTANCES).gauges()).isEmpty();
    }

    @Test
    void theRefreshInterval_isCheckedWithAClearMessage() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InstanceStatusGauges.create(client, registry, Duration.ofMillis(10)))
                .hasMessageContaining("at least 1 second");
    }

    private double counter(String name, String orchestration) {
        Counter c = registry.find(name).tags("orchestration", orchestration).counter();
        return c == null ? 0 : c.count();
    }

    private double gauge(String name) {
        Gauge g = registry.find(name).tags("hub", "MetricsHub").gauge();
        return g == null ? -1 : g.value();
    }

    private double instances(String orchestration, String status) {
        Gauge g = registry.find(InstanceStatusGauges.INSTANCES).tags("hub", "MetricsHub", "orchestration", orchestration, "status", status).gauge();
        return g == null ? -1 : g.value();
    }
}

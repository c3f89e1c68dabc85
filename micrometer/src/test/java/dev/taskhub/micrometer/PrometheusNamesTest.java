package dev.taskhub.micrometer;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.provider.inmemory.InMemoryStorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The names a Prometheus scrape shows, as docs/observability.md lists them. */
class PrometheusNamesTest {
    @Test
    void aScrape_showsTheDocumentedNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        InMemoryStorageProvider provider = InMemoryStorageProvider.create("PromHub", Clock.systemUTC());
        provider.createTaskHub();
        TaskHubClient client = new TaskHubClient(provider);
        try (TaskHubWorker worker = TaskHubWorker.builder(provider)
                .addOrchestrator("Hello", ctx -> ctx.callActivity("Say", "x", String.class).await())
                .addActivity("Say", ctx -> "hi")
                .options(WorkerOptions.builder().addObserver(TaskHubMetrics.builder(registry).percentileHistograms(true).build()).build())
                .build().start();
             InstanceStatusGauges gauges = InstanceStatusGauges.create(client, registry, Duration.ofSeconds(30))) {
            String id = client.scheduleNewOrchestrationInstance("Hello", null);
            assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(20)).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
            await().atMost(Duration.ofSeconds(20)).until(() -> registry.scrape().contains("taskhub_orchestration_completed_total"));
            gauges.refresh();
            String scrape = registry.scrape();
            assertThat(scrape).contains(
                    "taskhub_orchestration_started_total{hub=\"PromHub\",orchestration=\"Hello\"} 1",
                    "taskhub_orchestration_completed_total{hub=\"PromHub\",orchestration=\"Hello\"} 1",
                    "taskhub_orchestration_failed_total{",
                    "taskhub_orchestration_terminated_total{",
                    "taskhub_orchestration_continued_as_new_total{",
                    "taskhub_orchestration_endtoend_latency_seconds_count{hub=\"PromHub\",orchestration=\"Hello\",status=\"Completed\"} 1",
                    "taskhub_orchestration_endtoend_latency_seconds_bucket{",
                    "taskhub_episode_latency_seconds_count{hub=\"PromHub\",orchestration=\"Hello\"} 2",
                    "taskhub_episode_schedule_to_start_latency_seconds_count{hub=\"PromHub\",orchestration=\"Hello\"} 2",
                    "taskhub_activity_execution_latency_seconds_count{activity=\"Say\",hub=\"PromHub\",outcome=\"success\"} 1",
                    "taskhub_history_cache_requests_total{hub=\"PromHub\",result=\"hit\"} 1",
                    "taskhub_worker_activities_in_flight{hub=\"PromHub\",worker=\"1\"} 0",
                    "taskhub_worker_activities_capacity{hub=\"PromHub\",worker=\"1\"} 256",
                    "taskhub_worker_episodes_in_flight{hub=\"PromHub\",worker=\"1\"}",
                    "taskhub_worker_episodes_capacity{hub=\"PromHub\",worker=\"1\"}",
                    "taskhub_instances{hub=\"PromHub\",orchestration=\"Hello\",status=\"Completed\"} 1");
        } finally {
            provider.close();
        }
    }
}

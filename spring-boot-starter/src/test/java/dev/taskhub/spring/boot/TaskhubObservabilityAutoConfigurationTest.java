package dev.taskhub.spring.boot;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import dev.taskhub.micrometer.InstanceStatusGauges;
import dev.taskhub.micrometer.TaskHubMetrics;
import dev.taskhub.observe.TaskHubObserver;
import dev.taskhub.opentelemetry.TaskHubTracing;
import dev.taskhub.worker.TaskHubWorker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Metrics and traces wired by {@link TaskhubObservabilityAutoConfiguration}: real orchestrations on the in-memory
 * provider, read back from a real {@code SimpleMeterRegistry} and the OpenTelemetry SDK's in-memory exporter.
 */
class TaskhubObservabilityAutoConfigurationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TaskhubAutoConfiguration.class, TaskhubObservabilityAutoConfiguration.class))
            .withUserConfiguration(TestTasks.class);

    @Configuration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Telemetry {
        @Bean
        InMemorySpanExporter spanExporter() {
            return InMemorySpanExporter.create();
        }

        @Bean(destroyMethod = "close")
        OpenTelemetrySdk openTelemetry(InMemorySpanExporter exporter) {
            return OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                    .build();
        }
    }

    private static String greet(TaskHubClient client) {
        String id = client.scheduleNewOrchestrationInstance("Greeting", "Ada");
        assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        return id;
    }

    @Test
    void meterRegistryBean_workerRecordsRealMeters_andInstanceGaugesCountTheHub() {
        String hub = TestTasks.hub();
        runner.withUserConfiguration(Registry.class)
                .withPropertyValues("taskhub.hub-name=" + hub, "taskhub.metrics.instance-counts-interval=1s").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(TaskHubMetrics.class).hasSingleBean(InstanceStatusGauges.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(context.getBean(TaskHubWorker.class).options().observer()).isSameAs(context.getBean(TaskHubMetrics.class));
                    // metrics alone do not observe the client
                    assertThat(context.getBean(TaskHubClient.class).observer()).isSameAs(TaskHubObserver.NONE);

                    greet(context.getBean(TaskHubClient.class));

                    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                        assertThat(registry.get("taskhub.orchestration.completed").tag("orchestration", "Greeting").tag("hub", hub)
                                .counter().count()).isEqualTo(1.0);
                        assertThat(registry.get("taskhub.orchestration.started").tag("orchestration", "Greeting").counter().count())
                                .isEqualTo(1.0);
                        Timer sayHello = registry.get("taskhub.activity.execution.latency").tag("activity", "SayHello")
                                .tag("outcome", "success").timer();
                        assertThat(sayHello.count()).isEqualTo(1);
                        assertThat(registry.get("taskhub.orchestration.endtoend.latency").tag("status", "Completed").timer()
                                .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
                        assertThat(registry.get("taskhub.instances").tag("orchestration", "Greeting").tag("status", "Completed")
                                .gauge().value()).isEqualTo(1.0);
                    });
                    // the worker's gauges: the auto-configured worker runs orchestrations and activities
                    assertThat(registry.get("taskhub.worker.activities.capacity").gauge().value())
                            .isEqualTo(context.getBean(TaskHubWorker.class).options().activityConcurrency());
                    assertThat(registry.find("taskhub.orchestration.failed").counters()).allSatisfy(c -> assertThat(c.count()).isZero());
                    context.close();
                    // closed with the context: the instance gauges are removed
                    assertThat(registry.find("taskhub.instances").gauges()).isEmpty();
                });
    }

    @Test
    void metricsDisabledByProperty_registersNoObserverAndNoMeters() {
        runner.withUserConfiguration(Registry.class)
                .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.metrics.enabled=false").run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(TaskHubMetrics.class).doesNotHaveBean(InstanceStatusGauges.class);
                    assertThat(context.getBean(TaskHubWorker.class).options().observer()).isSameAs(TaskHubObserver.NONE);
                    greet(context.getBean(TaskHubClient.class));
                    assertThat(context.getBean(MeterRegistry.class).getMeters())
                            .noneMatch(m -> m.getId().getName().startsWith("taskhub."));
                });
    }

    @Test
    void instanceCountsIntervalBelowOneSecond_failsNamingTheProperty() {
        runner.withUserConfiguration(Registry.class)
                .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.metrics.instance-counts-interval=500ms")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("taskhub.metrics.instance-counts-interval must be at least 1s"));
    }

    @Test
    void applicationsOwnTaskHubMetricsBean_isUsedInstead() {
        String hub = TestTasks.hub();
        runner.withUserConfiguration(Registry.class)
                .withBean(TaskHubMetrics.class, () -> TaskHubMetrics.builder(new SimpleMeterRegistry()).tags("app", "orders").build())
                .withPropertyValues("taskhub.hub-name=" + hub).run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(TaskHubMetrics.class);
                    MeterRegistry own = context.getBean(TaskHubMetrics.class).registry();
                    greet(context.getBean(TaskHubClient.class));
                    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(own.get("taskhub.orchestration.completed")
                            .tag("app", "orders").tag("hub", hub).counter().count()).isEqualTo(1.0));
                });
    }

    @Test
    void openTelemetryBean_clientAndWorkerSpansFormOneTrace() {
        runner.withUserConfiguration(Telemetry.class).withPropertyValues("taskhub.hub-name=" + TestTasks.hub()).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TaskHubTracing.class);
            TaskHubTracing tracing = context.getBean(TaskHubTracing.class);
            TaskHubClient client = context.getBean(TaskHubClient.class);
            assertThat(client.observer()).isSameAs(tracing);
            assertThat(context.getBean(TaskHubWorker.class).options().observer()).isSameAs(tracing);
            InMemorySpanExporter exporter = context.getBean(InMemorySpanExporter.class);

            String id = greet(client);

            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(names(exporter.getFinishedSpanItems()))
                    .contains("create_orchestration:Greeting", "orchestration:Greeting", "activity:SayHello", "activity:shout",
                            "activity:Length"));
            List<SpanData> spans = exporter.getFinishedSpanItems();
            assertThat(spans).hasSize(5);
            assertThat(spans.stream().map(SpanData::getTraceId).distinct()).hasSize(1);
            SpanData start = spans.stream().filter(s -> s.getName().equals("create_orchestration:Greeting")).findFirst().orElseThrow();
            assertThat(spans).filteredOn(s -> s != start)
                    .allSatisfy(s -> assertThat(s.getParentSpanId()).isEqualTo(start.getSpanId()));
            assertThat(start.getAttributes().asMap().toString()).contains(id);
        });
    }

    @Test
    void httpManagementApi_usesTheTracedClient_soAStartJoinsTheCallersTrace() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";
        runner.withUserConfiguration(Telemetry.class).withPropertyValues("taskhub.hub-name=" + TestTasks.hub(),
                "taskhub.http.enabled=true", "taskhub.http.port=0", "taskhub.http.disable-authentication=true").run(context -> {
            assertThat(context).hasNotFailed();
            ManagementServer server = context.getBean(ManagementServer.class);
            HttpResponse<String> started = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/orchestrators/Greeting"))
                            .header("content-type", "application/json").header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                            .POST(HttpRequest.BodyPublishers.ofString("\"Ada\"")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            InMemorySpanExporter exporter = context.getBean(InMemorySpanExporter.class);
            await().atMost(WAIT).untilAsserted(() -> assertThat(names(exporter.getFinishedSpanItems()))
                    .contains("create_orchestration:Greeting", "orchestration:Greeting"));
            List<SpanData> spans = exporter.getFinishedSpanItems();
            assertThat(spans).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(traceId));
            // the start span is emitted by the client the server was given, as a child of the HTTP caller's span
            SpanData start = spans.stream().filter(s -> s.getName().equals("create_orchestration:Greeting")).findFirst().orElseThrow();
            assertThat(start.getParentSpanId()).isEqualTo(callerSpan);
        });
    }

    @Test
    void tracingDisabledByProperty_emitsNoSpans() {
        runner.withUserConfiguration(Telemetry.class)
                .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.tracing.enabled=false").run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(TaskHubTracing.class);
                    assertThat(context.getBean(TaskHubClient.class).observer()).isSameAs(TaskHubObserver.NONE);
                    greet(context.getBean(TaskHubClient.class));
                    context.getBean(TaskHubWorker.class).close();
                    assertThat(context.getBean(InMemorySpanExporter.class).getFinishedSpanItems()).isEmpty();
                });
    }

    @Test
    void metricsAndTracingTogether_bothObserveTheWorker() {
        String hub = TestTasks.hub();
        runner.withUserConfiguration(Registry.class, Telemetry.class).withPropertyValues("taskhub.hub-name=" + hub).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TaskHubMetrics.class).hasSingleBean(TaskHubTracing.class);
            greet(context.getBean(TaskHubClient.class));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            InMemorySpanExporter exporter = context.getBean(InMemorySpanExporter.class);
            await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
                assertThat(registry.get("taskhub.orchestration.completed").tag("hub", hub).counter().count()).isEqualTo(1.0);
                assertThat(names(exporter.getFinishedSpanItems())).contains("orchestration:Greeting", "activity:Length");
            });
        });
    }

    @Test
    void withoutTheModulesOnTheClassPath_beansAreIgnoredAndOrchestrationsRun() {
        runner.withUserConfiguration(Registry.class, Telemetry.class)
                .withClassLoader(new FilteredClassLoader(TaskHubMetrics.class, TaskHubTracing.class))
                .withPropertyValues("taskhub.hub-name=" + TestTasks.hub()).run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(TaskHubMetrics.class).doesNotHaveBean(TaskHubTracing.class)
                            .doesNotHaveBean(InstanceStatusGauges.class).doesNotHaveBean(TaskhubWorkerOptionsCustomizer.class)
                            .doesNotHaveBean(TaskhubClientCustomizer.class);
                    greet(context.getBean(TaskHubClient.class));
                    assertThat(context.getBean(TaskHubWorker.class).options().observer()).isSameAs(TaskHubObserver.NONE);
                });
    }

    @Test
    void withoutMeterRegistryOrOpenTelemetryBeans_nothingIsObserved() {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub()).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(TaskHubMetrics.class).doesNotHaveBean(TaskHubTracing.class)
                    .doesNotHaveBean(InstanceStatusGauges.class).doesNotHaveBean(MeterRegistry.class).doesNotHaveBean(OpenTelemetry.class);
            assertThat(context.getBean(TaskHubClient.class).observer()).isSameAs(TaskHubObserver.NONE);
            assertThat(context.getBean(TaskHubWorker.class).options().observer()).isSameAs(TaskHubObserver.NONE);
            greet(context.getBean(TaskHubClient.class));
        });
    }

    private static Set<String> names(List<SpanData> spans) {
        return spans.stream().map(SpanData::getName).collect(Collectors.toSet());
    }
}

package dev.taskhub.spring.boot;

import dev.taskhub.ConfigurationException;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.micrometer.InstanceStatusGauges;
import dev.taskhub.micrometer.TaskHubMetrics;
import dev.taskhub.opentelemetry.TaskHubTracing;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * Metrics and traces of the auto-configured worker and client, when the application has them:
 * <ul>
 *   <li>with taskhub-micrometer on the class path and a {@code MeterRegistry} bean (e.g. from Spring Boot Actuator),
 *   a {@link TaskHubMetrics} observer on the worker and {@link InstanceStatusGauges} refreshed every
 *   {@code taskhub.metrics.instance-counts-interval} (closed with the context); off with
 *   {@code taskhub.metrics.enabled=false};</li>
 *   <li>with taskhub-opentelemetry on the class path and an {@code OpenTelemetry} bean, a {@link TaskHubTracing}
 *   observer on the worker and on the client bean (so the HTTP management API's starts join the caller's trace too);
 *   off with {@code taskhub.tracing.enabled=false}.</li>
 * </ul>
 * A {@code TaskHubMetrics} or {@code TaskHubTracing} bean of the application's own (other tags, histograms) is used
 * instead of the one made here. Runs after Spring Boot's metrics and OpenTelemetry auto-configurations, whose beans
 * it looks for.
 */
@AutoConfiguration(after = TaskhubAutoConfiguration.class, afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration"})
public class TaskhubObservabilityAutoConfiguration {

    /** Micrometer meters of the worker, and the instances-by-status gauges. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({TaskHubMetrics.class, MeterRegistry.class})
    @ConditionalOnBean(MeterRegistry.class)
    @ConditionalOnProperty(prefix = "taskhub.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        TaskHubMetrics taskHubMetrics(MeterRegistry registry, TaskhubProperties properties) {
            return TaskHubMetrics.builder(registry).percentileHistograms(properties.getMetrics().isPercentileHistograms()).build();
        }

        @Bean
        TaskhubWorkerOptionsCustomizer taskhubMetricsWorkerOptionsCustomizer(TaskHubMetrics metrics) {
            return options -> options.addObserver(metrics);
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnBean(TaskHubClient.class)
        @ConditionalOnMissingBean
        InstanceStatusGauges taskhubInstanceStatusGauges(TaskHubClient client, MeterRegistry registry, TaskhubProperties properties) {
            Duration interval = properties.getMetrics().getInstanceCountsInterval();
            if (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new ConfigurationException("taskhub.metrics.instance-counts-interval must be at least 1s, got " + interval
                        + ". Set e.g. taskhub.metrics.instance-counts-interval=30s, or taskhub.metrics.enabled=false to record no metrics.");
            }
            // the first read runs on the gauges' own thread, so a slow store does not hold up the start
            return InstanceStatusGauges.create(client, registry, interval).start();
        }
    }

    /** OpenTelemetry spans of the worker and the client. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({TaskHubTracing.class, OpenTelemetry.class})
    @ConditionalOnBean(OpenTelemetry.class)
    @ConditionalOnProperty(prefix = "taskhub.tracing", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class Tracing {

        @Bean
        @ConditionalOnMissingBean
        TaskHubTracing taskHubTracing(OpenTelemetry openTelemetry, TaskhubProperties properties) {
            TaskHubTracing tracing = TaskHubTracing.of(openTelemetry);
            return properties.getTracing().isEpisodeSpans() ? tracing.withEpisodeSpans() : tracing;
        }

        @Bean
        TaskhubWorkerOptionsCustomizer taskhubTracingWorkerOptionsCustomizer(TaskHubTracing tracing) {
            return options -> options.addObserver(tracing);
        }

        @Bean
        TaskhubClientCustomizer taskhubTracingClientCustomizer(TaskHubTracing tracing) {
            return client -> client.addObserver(tracing);
        }
    }
}

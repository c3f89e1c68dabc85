package dev.taskhub.spring.boot;

import dev.taskhub.client.TaskHubClient;
import dev.taskhub.worker.TaskHubWorker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Actuator support, only when Actuator is on the class path: the health indicator {@code taskhub}
 * ({@link TaskhubHealthIndicator}: storage reachable, instances waiting too long, quarantined messages) and the
 * info contributor {@code taskhub} ({@link TaskhubInfoContributor}: provider, hub, version, worker). Turn them off
 * with {@code management.health.taskhub.enabled=false} and {@code management.info.taskhub.enabled=false}.
 */
@AutoConfiguration(after = TaskhubAutoConfiguration.class)
@ConditionalOnClass(name = {"org.springframework.boot.actuate.health.HealthIndicator",
        "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"})
@ConditionalOnBean(TaskHubClient.class)
public class TaskhubActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "taskhubHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("taskhub")
    TaskhubHealthIndicator taskhubHealthIndicator(TaskHubClient client, TaskhubProperties properties) {
        return new TaskhubHealthIndicator(client, properties.getHealth());
    }

    @Bean
    @ConditionalOnMissingBean(name = "taskhubInfoContributor")
    @ConditionalOnEnabledInfoContributor("taskhub")
    TaskhubInfoContributor taskhubInfoContributor(TaskHubClient client, ObjectProvider<TaskHubWorker> worker) {
        return new TaskhubInfoContributor(client, worker.getIfAvailable());
    }
}

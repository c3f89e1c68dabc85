package dev.taskhub.spring.boot;

import dev.taskhub.client.HubHealth;
import dev.taskhub.client.TaskHubClient;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The task hub's health as Actuator reports it, from {@link TaskHubClient#health}: {@code DOWN} when the storage does
 * not answer; otherwise {@code UP}, with the details of what is wrong when the hub is degraded (instances pending
 * longer than {@code taskhub.health.pending-threshold}, which means no worker picks them up, other stuck instances,
 * quarantined poison messages, slow storage) — or {@code DOWN} for a degraded hub too when
 * {@code taskhub.health.degraded-is-down=true}. A degraded hub is a problem of the hub, not of this process, so by
 * default it does not take the process out of a load balancer.
 */
public class TaskhubHealthIndicator extends AbstractHealthIndicator {
    private final TaskHubClient client;
    private final TaskhubProperties.Health settings;

    TaskhubHealthIndicator(TaskHubClient client, TaskhubProperties.Health settings) {
        super("Taskhub health check failed");
        this.client = client;
        this.settings = settings;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        HubHealth health = client.health(settings.getPendingThreshold());
        boolean down = health.status() == HubHealth.Status.DOWN
                || (health.status() == HubHealth.Status.DEGRADED && settings.isDegradedIsDown());
        (down ? builder.down() : builder.up())
                .withDetail("hub", client.provider().taskHubName())
                .withDetail("provider", client.provider().providerName())
                .withDetail("status", health.status().wireName())
                .withDetail("pendingThreshold", health.pendingThreshold().toString());
        if (health.storageLatency() != null) {
            builder.withDetail("storageLatencyMs", health.storageLatency().toMillis())
                    .withDetail("stuckPending", health.stuckPending() + (health.stuckPendingMore() ? "+" : ""))
                    .withDetail("stuckInstances", health.stuckInstances())
                    .withDetail("quarantined", health.quarantined() + (health.quarantinedMore() ? "+" : ""));
        }
        if (health.problem() != null) {
            builder.withDetail("problem", health.problem());
        }
    }
}

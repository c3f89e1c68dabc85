package dev.taskhub.spring.boot;

/**
 * A bean that adjusts how the auto-configured {@link dev.taskhub.client.TaskHubClient} is built: its storage provider
 * (to wrap it), data converter, clock or management URLs. Every such bean is applied, in
 * {@link org.springframework.core.annotation.Order @Order} order.
 */
@FunctionalInterface
public interface TaskhubClientCustomizer {
    void customize(TaskhubClientBuilder builder);
}

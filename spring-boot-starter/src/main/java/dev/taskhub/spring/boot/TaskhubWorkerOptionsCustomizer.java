package dev.taskhub.spring.boot;

import dev.taskhub.worker.WorkerOptions;

/**
 * A bean that adjusts the worker options after the {@code taskhub.worker.*} properties were applied to them and
 * before they are validated. Every such bean is applied, in {@link org.springframework.core.annotation.Order @Order}
 * order.
 */
@FunctionalInterface
public interface TaskhubWorkerOptionsCustomizer {
    void customize(WorkerOptions.Builder options);
}

package dev.taskhub.spring.boot;

import dev.taskhub.worker.TaskHubWorker;

/**
 * A bean that adjusts the auto-configured worker's builder before it is built: add orchestrators or activities that
 * are not beans, set a clock, or attach whatever the builder offers (interceptors, observers). Every such bean is
 * applied, in {@link org.springframework.core.annotation.Order @Order} order, after the properties and after the
 * orchestrator and activity beans were registered. To change {@link dev.taskhub.worker.WorkerOptions}, use a
 * {@link TaskhubWorkerOptionsCustomizer}: it sees the options the properties set.
 */
@FunctionalInterface
public interface TaskhubWorkerCustomizer {
    void customize(TaskHubWorker.Builder builder);
}

package dev.taskhub.worker;

/**
 * A set of orchestrators and activities that a host finds on the class path with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.taskhub.worker.TaskModule}); {@code taskhub serve} registers all of them.
 */
public interface TaskModule {
    void register(TaskRegistry registry);
}

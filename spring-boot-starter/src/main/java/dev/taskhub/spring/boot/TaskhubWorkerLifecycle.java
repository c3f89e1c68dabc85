package dev.taskhub.spring.boot;

import dev.taskhub.worker.TaskHubWorker;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the auto-configured worker when the application context has refreshed and stops it when the context closes.
 * Stopping is synchronous and graceful: the worker takes no new work, commits the episodes in hand and gives running
 * activities {@code taskhub.worker.shutdown-timeout} to finish before it releases them to another worker.
 *
 * <p>Its phase ({@link #PHASE}) is below the web server's, so the worker starts before the server takes requests and
 * stops only after the server stopped taking them (and, with {@code server.shutdown=graceful}, finished those in
 * flight, which may be waiting for an orchestration). The storage provider is closed after it.
 */
public final class TaskhubWorkerLifecycle implements SmartLifecycle {
    /** Below Spring Boot's web server phases ({@code SmartLifecycle.DEFAULT_PHASE - 1024} and {@code - 2048}). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final TaskHubWorker worker;
    private volatile boolean running;

    TaskhubWorkerLifecycle(TaskHubWorker worker) {
        this.worker = worker;
    }

    @Override
    public synchronized void start() {
        if (!running) {
            worker.start();
            running = true;
        }
    }

    @Override
    public synchronized void stop() {
        if (running) {
            running = false;
            worker.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}

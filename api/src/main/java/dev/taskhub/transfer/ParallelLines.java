package dev.taskhub.transfer;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs an import's lines on a few threads, with a bounded number waiting (the reader never holds more than a few dozen
 * lines in memory). The first failure a line does not handle itself stops the import: it is thrown by the next
 * {@link #submit}, {@link #drain} or {@link #close}.
 */
final class ParallelLines implements AutoCloseable {
    private final ExecutorService pool;
    private final Semaphore slots;
    private final int capacity;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    ParallelLines(int threads) {
        this.capacity = threads * 4;
        this.slots = new Semaphore(capacity);
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "taskhub-import");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs the line's work on a pool thread; waits while the pool has its fill of lines. */
    void submit(Runnable work) {
        rethrow();
        acquire(1);
        pool.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                slots.release();
            }
        });
    }

    /** Waits until every line submitted so far is done. */
    void drain() {
        acquire(capacity);
        slots.release(capacity);
        rethrow();
    }

    /** Waits for the lines in flight, stops the threads, and throws the first failure. */
    @Override
    public void close() {
        try {
            drain();
        } finally {
            pool.shutdownNow();
        }
    }

    private void acquire(int permits) {
        try {
            slots.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while importing; the lines read so far may be imported.", e);
        }
    }

    private void rethrow() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }
}

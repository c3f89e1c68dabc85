package dev.taskhub.provider.postgres;

/**
 * A generation counter that waiting lock calls block on; bumped when a notification says work arrived, or when this
 * process enqueued work itself. Reading the generation before querying and waiting only while it is unchanged
 * means no wake-up is lost between the query and the wait. Thread-safe.
 */
final class WakeSignal {
    private long generation;

    synchronized long generation() {
        return generation;
    }

    synchronized void signal() {
        generation++;
        notifyAll();
    }

    /** Waits up to {@code millis} for the generation to move past {@code seen}. Returns false when interrupted. */
    synchronized boolean await(long seen, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        try {
            while (generation == seen) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return true;
                }
                wait(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

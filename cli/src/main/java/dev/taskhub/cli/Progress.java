package dev.taskhub.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a long operation and, while it runs past the first second, prints how long it has been running on stderr
 * so a purge of a million instances does not look hung.
 */
final class Progress {
    private Progress() {}

    static long run(PrintWriter err, String label, Callable<Long> operation) {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "taskhub-cli-operation");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<Long> future = executor.submit(operation);
            long started = System.nanoTime();
            boolean printed = false;
            while (true) {
                try {
                    Long result = future.get(1, TimeUnit.SECONDS);
                    if (printed) {
                        err.println();
                        err.flush();
                    }
                    return result;
                } catch (TimeoutException e) {
                    if (label != null) {
                        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                        err.print("\r" + label + "... " + seconds + " s");
                        err.flush();
                        printed = true;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            executor.shutdownNow();
        }
    }
}

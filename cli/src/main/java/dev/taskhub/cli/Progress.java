package dev.taskhub.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a long operation and, while it runs past the first second, prints on stderr how long it has been running — and
 * how far it got, when the caller can tell — so a purge of a million instances does not look hung.
 */
final class Progress {
    private Progress() {}

    static long run(PrintWriter err, String label, Callable<Long> operation) {
        return run(err, label, operation, null);
    }

    /**
     * As {@link #run(PrintWriter, String, Callable)}; {@code status}, asked about once a second from this thread while
     * the operation runs, describes how far it got (e.g. {@code 45,000 of 100,000}); it may throw, then only the time
     * is shown.
     */
    static long run(PrintWriter err, String label, Callable<Long> operation, Supplier<String> status) {
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
                        err.print("\r" + label + "... " + describe(status) + seconds + " s   ");
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

    private static String describe(Supplier<String> status) {
        if (status == null) {
            return "";
        }
        try {
            return status.get() + ", ";
        } catch (RuntimeException e) {
            return "";
        }
    }
}

package dev.taskhub.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A set of polling threads. A storage failure is logged once per outage (not once per poll) and retried with
 * exponential back-off, so a worker rides out a database restart.
 */
abstract class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final String name;
    private final int threads;
    private final List<Thread> running = new ArrayList<>();
    private volatile boolean stopping;
    private volatile boolean failing;

    Dispatcher(String name, int threads) {
        this.name = name;
        this.threads = threads;
    }

    /** Takes and handles one batch of work; false when there was none. May throw on storage failures. */
    protected abstract boolean poll();

    synchronized void start() {
        for (int i = 0; i < threads; i++) {
            Thread thread = new Thread(this::loop, name + "-" + i);
            thread.setDaemon(true);
            running.add(thread);
            thread.start();
        }
    }

    boolean isStopping() {
        return stopping;
    }

    /** Stops taking work; threads finish the batch in hand. */
    void stopPolling() {
        stopping = true;
    }

    /**
     * Waits for the threads to end: each finishes the batch in hand (its commit included) and a thread waiting for work
     * returns within the poll wait. Only threads still running at the deadline are interrupted. An interrupt earlier
     * would cut storage requests short: a store that commits in several steps (Azure Storage) would be left with part
     * of a checkpoint applied, and messages received or locked by the cut request hidden until their visibility
     * timeout ends.
     */
    void awaitStop(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        List<Thread> threadsToStop;
        synchronized (this) {
            threadsToStop = new ArrayList<>(running);
        }
        for (Thread t : threadsToStop) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        for (Thread t : threadsToStop) {
            if (t.isAlive()) {
                log.warn("{}: thread {} still busy {} ms after stop was asked; interrupting it", name, t.getName(), millis);
                t.interrupt();
            }
        }
        for (Thread t : threadsToStop) {
            t.join(1_000);
        }
    }

    private void loop() {
        long backoffMillis = 0;
        while (!stopping) {
            try {
                poll();
                if (failing) {
                    failing = false;
                    log.info("{}: storage is reachable again, resuming", name);
                }
                backoffMillis = 0;
            } catch (RuntimeException e) {
                if (stopping) {
                    break;
                }
                if (!failing) {
                    failing = true;
                    log.warn("{}: storage operation failed, retrying with back-off: {}", name, e.toString());
                } else {
                    log.debug("{}: still failing: {}", name, e.toString());
                }
                backoffMillis = Math.min(5_000, Math.max(50, backoffMillis * 2));
                try {
                    Thread.sleep(backoffMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            } catch (Error e) {
                log.error("{}: unexpected error, thread continues", name, e);
            }
            if (Thread.interrupted() && stopping) {
                break;
            }
        }
    }
}

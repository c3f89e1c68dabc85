package dev.taskhub.provider.inmemory;

import dev.taskhub.InvalidRequestException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;

/**
 * Virtual time for one in-memory task hub ({@link InMemoryStorageProvider#create(String, Clock)}), for tests. The clock
 * stands still; the hub moves it forward itself, and only while nothing is ready or in progress (no instance or
 * activity waiting to be picked up, none locked by a worker): then it jumps straight to the next due timer, retry
 * delay or scheduled start. Jumps happen only while skipping is allowed: without bound while someone holds a
 * {@link #unlockSkipping() permit}, or up to the instant given to {@link #allowSkippingTo(Instant)}. Give the same
 * clock to the worker ({@code TaskHubWorker.builder(...).clock(clock)}) and the client, so orchestrations read the same
 * time. Thread-safe; time never goes backward.
 */
public final class VirtualClock extends Clock {
    private volatile Instant now;
    private int permits;
    private Instant limit;
    private Runnable hubWakeUp;

    /** A clock that starts at {@code start}. */
    public VirtualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** This clock for UTC; other zones are refused (Taskhub keeps every time in UTC). */
    @Override
    public Clock withZone(ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new InvalidRequestException("A VirtualClock keeps UTC only; convert times with Instant.atZone(" + zone + ").");
    }

    /**
     * Allows the hub to jump without bound until the returned permit is closed (permits count: skipping stays allowed
     * while any is open). This is what a test does while it waits for an instance to finish.
     */
    public SkipPermit unlockSkipping() {
        synchronized (this) {
            permits++;
        }
        wakeHub();
        return new SkipPermit(this);
    }

    /**
     * Allows the hub to jump up to {@code until} (inclusive), also after the work due before it ran; time reaches
     * {@code until} once the hub is idle with nothing due before it. A later call with an earlier instant keeps the
     * later bound.
     */
    public void allowSkippingTo(Instant until) {
        Objects.requireNonNull(until, "until");
        synchronized (this) {
            if (limit == null || until.isAfter(limit)) {
                limit = until;
            }
        }
        wakeHub();
    }

    /**
     * Waits (in real time, at most {@code timeout}) until the clock reads {@code target} or later; false when the
     * timeout passed first (work kept the hub busy, or nothing allows skipping that far).
     */
    public boolean awaitTime(Instant target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (now.isBefore(target)) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                wait(Math.max(1, remaining / 1_000_000));
            }
            return true;
        }
    }

    /** The latest instant the hub may jump to now: empty when skipping is locked, {@link Instant#MAX} without bound. */
    synchronized Optional<Instant> skipBound() {
        if (permits > 0) {
            return Optional.of(Instant.MAX);
        }
        return limit == null || !limit.isAfter(now) ? Optional.empty() : Optional.of(limit);
    }

    /** Moves time forward to {@code target} (the hub does, holding its lock); never backward. */
    synchronized void moveTo(Instant target) {
        if (target.isAfter(now)) {
            now = target;
            notifyAll();
        }
    }

    /** Ties this clock to its hub; a clock drives one hub. */
    synchronized void attach(Runnable wakeUp) {
        if (hubWakeUp != null) {
            throw new InvalidRequestException("This VirtualClock already drives a task hub; give each hub its own clock.");
        }
        hubWakeUp = wakeUp;
    }

    private void release() {
        synchronized (this) {
            permits--;
        }
    }

    private void wakeHub() {
        Runnable wakeUp;
        synchronized (this) {
            wakeUp = hubWakeUp;
        }
        if (wakeUp != null) {
            wakeUp.run();   // outside this clock's monitor: the hub takes its own lock, then this one
        }
    }

    @Override
    public String toString() {
        return "VirtualClock[" + now + "]";
    }

    /** An open permission to skip time; close it when done waiting. Closing twice does nothing. */
    public static final class SkipPermit implements AutoCloseable {
        private final VirtualClock clock;
        private boolean closed;

        private SkipPermit(VirtualClock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                clock.release();
            }
        }
    }
}

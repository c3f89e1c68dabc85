package dev.taskhub.provider.azurestorage;

import java.time.Duration;

/**
 * When a queue may be received from again: at once after a receive that came back full, {@code pause} after one that
 * left the queue drained, so that messages gather and one receive takes several instead of paying a request per few.
 */
final class ReceivePacer {
    /** The most messages one receive returns (the service's limit). */
    static final int RECEIVE_MAX = 32;

    private final long pauseNanos;
    private volatile long next = System.nanoTime();

    ReceivePacer(Duration pause) {
        this.pauseNanos = pause.toNanos();
    }

    /** How long until the next receive may go out (0 or less: now). */
    long nanosUntilDue() {
        return next - System.nanoTime();
    }

    /** Records a receive that asked for {@code asked} messages and got {@code got}. */
    void received(int got, int asked) {
        next = System.nanoTime() + (got < asked ? pauseNanos : 0);
    }
}

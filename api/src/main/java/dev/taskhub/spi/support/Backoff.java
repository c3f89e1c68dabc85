package dev.taskhub.spi.support;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pause between polls of an idle queue (or between reconnect attempts): it starts at {@code min}, doubles after
 * every pause up to {@code max}, and goes back to {@code min} on {@link #reset()} (when work was found). Thread-safe;
 * keep one per queue to carry the back-off across lock calls, or make one per call.
 *
 * <pre>{@code
 * Duration pause = backoff.next();   // 10 ms, 20 ms, 40 ms, ... up to max
 * ...
 * backoff.reset();                   // found work: poll quickly again
 * }</pre>
 */
public final class Backoff {
    private final long minNanos;
    private final long maxNanos;
    private final AtomicLong next;

    /**
     * @param min the first pause; positive
     * @param max the longest pause; positive (when it is below {@code min}, the first pause is still {@code min})
     */
    public Backoff(Duration min, Duration max) {
        this.minNanos = positive(min, "min");
        this.maxNanos = positive(max, "max");
        this.next = new AtomicLong(minNanos);
    }

    private static long positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("The back-off " + name + " must be positive, got " + value + ".");
        }
        return value.toNanos();
    }

    /** The pause to make now; the following one is twice as long, up to the maximum. */
    public Duration next() {
        return Duration.ofNanos(nextNanos());
    }

    /** {@link #next()} in milliseconds, for code that sleeps or waits in milliseconds. */
    public long nextMillis() {
        return next().toMillis();
    }

    private long nextNanos() {
        return next.getAndUpdate(d -> Math.min(d > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : d * 2, maxNanos));
    }

    /** The next pause is the minimum again. */
    public void reset() {
        next.set(minNanos);
    }
}

package dev.taskhub.spi.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Taskhub keeps times at microsecond precision, the finest that every store keeps (PostgreSQL's timestamps), so a
 * time read back equals the time written. Deadlines are rounded up, never down, so nothing fires early.
 */
public final class Times {
    private static final Duration MICRO = Duration.ofNanos(1_000);

    private Times() {}

    /** The clock ticking in whole microseconds. */
    public static Clock microsecondClock(Clock clock) {
        return Clock.tick(clock, MICRO);
    }

    /** The instant rounded up to the next whole microsecond (unchanged if it is one). */
    public static Instant roundUpToMicros(Instant instant) {
        Instant truncated = instant.truncatedTo(ChronoUnit.MICROS);
        return truncated.equals(instant) ? instant : truncated.plus(MICRO);
    }
}

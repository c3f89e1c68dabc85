package dev.taskhub.orchestration;

import dev.taskhub.FailureDetails;
import dev.taskhub.InvalidRequestException;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Durable retries for an activity or sub-orchestration: the engine waits with durable timers between attempts, so
 * retries survive restarts. Build with {@link #builder(int, Duration)}.
 *
 * @param maxAttempts        total attempts including the first (at least 1)
 * @param firstRetryInterval delay before the second attempt
 * @param backoffCoefficient multiplier applied to the delay after each attempt (at least 1)
 * @param maxRetryInterval   upper bound of a single delay
 * @param retryTimeout       no attempt starts after this much time since the first attempt; null for no limit
 * @param handle             which failures are retried; others fail at once
 */
public record RetryPolicy(int maxAttempts, Duration firstRetryInterval, double backoffCoefficient, Duration maxRetryInterval,
                          Duration retryTimeout, Predicate<FailureDetails> handle) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new InvalidRequestException("maxAttempts must be at least 1, got " + maxAttempts + ".");
        }
        if (firstRetryInterval == null || firstRetryInterval.isNegative() || firstRetryInterval.isZero()) {
            throw new InvalidRequestException("firstRetryInterval must be positive.");
        }
        if (backoffCoefficient < 1.0) {
            throw new InvalidRequestException("backoffCoefficient must be at least 1.0, got " + backoffCoefficient + ".");
        }
        maxRetryInterval = maxRetryInterval == null ? Duration.ofHours(1) : maxRetryInterval;
        handle = handle == null ? failure -> true : handle;
    }

    public static Builder builder(int maxAttempts, Duration firstRetryInterval) {
        return new Builder(maxAttempts, firstRetryInterval);
    }

    /** The delay before attempt {@code attempt + 1}, where attempt 1 is the first try. */
    public Duration delayAfterAttempt(int attempt) {
        double millis = firstRetryInterval.toMillis() * Math.pow(backoffCoefficient, attempt - 1);
        return Duration.ofMillis((long) Math.min(millis, maxRetryInterval.toMillis()));
    }

    /** Builder for {@link RetryPolicy}. */
    public static final class Builder {
        private final int maxAttempts;
        private final Duration firstRetryInterval;
        private double backoffCoefficient = 1.0;
        private Duration maxRetryInterval;
        private Duration retryTimeout;
        private Predicate<FailureDetails> handle;

        private Builder(int maxAttempts, Duration firstRetryInterval) {
            this.maxAttempts = maxAttempts;
            this.firstRetryInterval = firstRetryInterval;
        }

        public Builder backoffCoefficient(double value) { this.backoffCoefficient = value; return this; }

        public Builder maxRetryInterval(Duration value) { this.maxRetryInterval = value; return this; }

        public Builder retryTimeout(Duration value) { this.retryTimeout = value; return this; }

        public Builder handle(Predicate<FailureDetails> value) { this.handle = value; return this; }

        public RetryPolicy build() {
            return new RetryPolicy(maxAttempts, firstRetryInterval, backoffCoefficient, maxRetryInterval, retryTimeout, handle);
        }
    }
}

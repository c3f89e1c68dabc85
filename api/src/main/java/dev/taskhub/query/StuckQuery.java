package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;

import java.time.Duration;

/**
 * What {@link dev.taskhub.client.TaskHubClient#findStuckInstances} looks for: instances held up for longer than
 * {@code threshold} (see {@link StuckReason}), at most {@code limit} of them. Immutable; build with {@link #builder()}.
 *
 * @param threshold          how long an instance may wait before it counts as stuck (default 5 minutes, not negative)
 * @param limit              the most instances returned (1..1000, default 100)
 * @param repeatedDeliveries deliveries without a successful checkpoint from which an instance counts as
 *                           {@link StuckReason#REPEATED_FAILURES} (at least 2, default 2)
 */
public record StuckQuery(Duration threshold, int limit, int repeatedDeliveries) {
    public static final Duration DEFAULT_THRESHOLD = Duration.ofMinutes(5);
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_REPEATED_DELIVERIES = 2;

    public StuckQuery {
        if (threshold == null || threshold.isNegative()) {
            throw new InvalidRequestException("The stuck threshold must be a duration of zero or more (e.g. 5m or PT5M), got "
                    + threshold + ".");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("The limit of stuck instances must be between 1 and " + MAX_LIMIT + ", got " + limit + ".");
        }
        if (repeatedDeliveries < 2) {
            throw new InvalidRequestException("Repeated deliveries must be at least 2 (a first delivery is no failure), got "
                    + repeatedDeliveries + ".");
        }
    }

    /** The defaults: threshold 5 minutes, limit 100, repeated deliveries 2. */
    public static StuckQuery defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link StuckQuery}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Duration threshold = DEFAULT_THRESHOLD;
        private int limit = DEFAULT_LIMIT;
        private int repeatedDeliveries = DEFAULT_REPEATED_DELIVERIES;

        private Builder() {}

        /** How long an instance may wait before it counts as stuck; null keeps the default. */
        public Builder threshold(Duration value) {
            this.threshold = value == null ? DEFAULT_THRESHOLD : value;
            return this;
        }

        public Builder limit(int value) {
            this.limit = value;
            return this;
        }

        public Builder repeatedDeliveries(int value) {
            this.repeatedDeliveries = value;
            return this;
        }

        public StuckQuery build() {
            return new StuckQuery(threshold, limit, repeatedDeliveries);
        }
    }
}

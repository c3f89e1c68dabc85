package dev.taskhub.query;

import java.util.List;
import java.util.Objects;

/**
 * What one enforcement pass purged, per policy. Immutable.
 *
 * @param outcomes one per policy the pass applied, in {@link RetentionPolicy#ORDER}
 */
public record RetentionReport(List<Outcome> outcomes) {
    /**
     * What one policy purged in a pass.
     *
     * @param policy the policy
     * @param purged instances purged for it
     * @param more   whether the pass stopped at its limit, so more expired instances may remain for the next pass
     */
    public record Outcome(RetentionPolicy policy, long purged, boolean more) {
        /** Checks the values. */
        public Outcome {
            Objects.requireNonNull(policy, "policy");
            if (purged < 0) {
                throw new IllegalArgumentException("purged must not be negative, got " + purged);
            }
        }
    }

    /** Copies the list. */
    public RetentionReport {
        outcomes = List.copyOf(outcomes);
    }

    /** Instances purged by all policies together. */
    public long total() {
        return outcomes.stream().mapToLong(Outcome::purged).sum();
    }

    /** Whether some policy stopped at its limit (run another pass to purge the rest). */
    public boolean more() {
        return outcomes.stream().anyMatch(Outcome::more);
    }
}

package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * How long finished instances of one runtime status — and optionally of one orchestration name — are kept: an instance
 * whose status is {@code status} and that last changed (finished) longer than {@code olderThan} ago is purged by the
 * next enforcement pass. A task hub holds at most one policy per (status, name); a policy for a name takes precedence
 * over the status's policy for every name, so "Completed after 7 days, but ProcessOrder after 30" keeps ProcessOrder
 * instances for 30 days. Immutable.
 *
 * @param status           a terminal status: {@link RuntimeStatus#COMPLETED}, {@link RuntimeStatus#FAILED} or
 *                         {@link RuntimeStatus#TERMINATED} (only finished instances are ever purged)
 * @param orchestrationName the orchestration name the policy is for, or null for every name (never blank)
 * @param olderThan        how long after it finished an instance is kept; positive, at most {@link Ages#MAX}, kept to the
 *                         millisecond
 */
public record RetentionPolicy(RuntimeStatus status, String orchestrationName, Duration olderThan) {
    /** Order of listings: by status, the policy for every name first, then by name. */
    public static final Comparator<RetentionPolicy> ORDER = Comparator.comparing(RetentionPolicy::status)
            .thenComparing(p -> p.orchestrationName() == null ? "" : "\u0001" + p.orchestrationName());

    /** Validates: a terminal status, a non-blank name when one is given, a positive age. */
    public RetentionPolicy {
        status = requireTerminal(status);
        if (orchestrationName != null && orchestrationName.isBlank()) {
            throw new InvalidRequestException("The orchestration name of a retention policy must not be blank; leave it out "
                    + "for a policy that covers every name.");
        }
        olderThan = Ages.requirePositive(olderThan == null ? null : olderThan.truncatedTo(ChronoUnit.MILLIS),
                "The age of a retention policy (olderThan)");
    }

    /** A policy for every orchestration name of the status. */
    public static RetentionPolicy of(RuntimeStatus status, Duration olderThan) {
        return new RetentionPolicy(status, null, olderThan);
    }

    /** A policy for one orchestration name of the status. */
    public static RetentionPolicy of(RuntimeStatus status, String orchestrationName, Duration olderThan) {
        return new RetentionPolicy(status, Objects.requireNonNull(orchestrationName, "orchestrationName"), olderThan);
    }

    /** The orchestration name, or empty for a policy that covers every name. */
    public Optional<String> name() {
        return Optional.ofNullable(orchestrationName);
    }

    /** Whether this policy and the other are for the same (status, name), whatever their ages. */
    public boolean sameScope(RetentionPolicy other) {
        return status == other.status && Objects.equals(orchestrationName, other.orchestrationName);
    }

    /** {@code Completed after 7d} or {@code Completed of ProcessOrder after 30d}. */
    public String describe() {
        return status.wireName() + (orchestrationName == null ? "" : " of " + orchestrationName) + " after " + Ages.format(olderThan);
    }

    /**
     * The status itself when it is terminal; otherwise {@link InvalidRequestException} saying that only finished
     * instances are purged.
     */
    public static RuntimeStatus requireTerminal(RuntimeStatus status) {
        if (status == null) {
            throw new InvalidRequestException("A retention policy needs a runtime status: Completed, Failed or Terminated.");
        }
        if (!status.isTerminal()) {
            throw new InvalidRequestException("Retention policies apply to finished instances only (only finished instances "
                    + "are purged); status " + status.wireName() + " is not terminal. Use Completed, Failed or Terminated.");
        }
        return status;
    }
}

package dev.taskhub.spi;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.RetentionPolicy;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Which instances one bounded step of retention purges ({@link InstanceStore#purgeExpiredInstances}): at most
 * {@code limit} instances whose status is {@code status} and whose last-updated time (when they finished) is before
 * {@code finishedBefore}, of the orchestration {@code orchestrationName} — or, when that is null, of any name except
 * those in {@code exceptNames} (the names that have a policy of their own for this status). Immutable.
 *
 * @param status            a terminal status
 * @param orchestrationName one orchestration name, or null for every name not in {@code exceptNames}
 * @param exceptNames       names left alone when {@code orchestrationName} is null; empty otherwise
 * @param finishedBefore    exclusive upper bound of the instances' last-updated time
 * @param limit             the most instances to purge in this step, at least 1
 */
public record ExpiredInstances(RuntimeStatus status, String orchestrationName, Set<String> exceptNames, Instant finishedBefore,
                               int limit) {
    /** Checks the values: a terminal status, a bound, a positive limit, no exceptions beside a name. */
    public ExpiredInstances {
        RetentionPolicy.requireTerminal(status);
        Objects.requireNonNull(finishedBefore, "finishedBefore");
        exceptNames = orchestrationName != null || exceptNames == null ? Set.of() : Set.copyOf(exceptNames);
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
    }

    /** Whether an instance with this state is one to purge (for stores that filter in memory). */
    public boolean matches(InstanceState state) {
        return matches(state.name(), state.status(), state.lastUpdatedAt());
    }

    /** Whether an instance of this name and status that last changed at {@code lastUpdatedAt} is one to purge. */
    public boolean matches(String name, RuntimeStatus instanceStatus, Instant lastUpdatedAt) {
        return instanceStatus == status && lastUpdatedAt.isBefore(finishedBefore)
                && (orchestrationName == null ? !exceptNames.contains(name) : orchestrationName.equals(name));
    }
}

package dev.taskhub.query;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The answer of {@link dev.taskhub.client.TaskHubClient#findStuckInstances}: the stuck instances found (oldest first),
 * whether there are more than the limit, and which reasons the store could look for at all. Immutable.
 *
 * @param instances the stuck instances, ordered by creation time and id, at most the query's limit
 * @param more      whether more instances are stuck than were returned
 * @param examined  the reasons the provider can detect; a reason not in it was not looked for (see
 *                  docs/operations.md for what each provider sees)
 * @param asOf      the time the threshold was measured from
 */
public record StuckInstances(List<StuckInstance> instances, boolean more, Set<StuckReason> examined, Instant asOf) {
    /** Every reason. */
    public static final Set<StuckReason> ALL_REASONS = Set.copyOf(EnumSet.allOf(StuckReason.class));

    public StuckInstances {
        instances = List.copyOf(instances);
        examined = examined.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(examined));
    }

    /** How many instances have the reason (among those returned). */
    public long count(StuckReason reason) {
        return instances.stream().filter(i -> i.reasons().contains(reason)).count();
    }
}

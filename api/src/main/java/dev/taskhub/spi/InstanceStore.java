package dev.taskhub.spi;

import dev.taskhub.ConfigurationException;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/** The instance store: one row per orchestration instance. */
public interface InstanceStore {
    /**
     * Atomically creates the instance {@code state} (status PENDING) and enqueues {@code startMessage} (an
     * ExecutionStarted message, possibly with a future {@code visibleAt}). If an instance with that id exists and its
     * status is in {@code replaceableStatuses}, it is replaced: its history and pending messages are deleted first.
     * Otherwise throws {@link InstanceAlreadyExistsException} and changes nothing. When this returns, the start is
     * durable.
     */
    void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses);

    /**
     * Writes an instance moved from another store — its state, the full history of its current execution, and the
     * messages that make it continue here — all at once (atomically where the store allows it; otherwise history
     * before the instance row and the messages, so that nothing is visible until the row is). Id conflicts are handled
     * as {@link #createInstance} handles them: an existing instance whose status is in {@code replaceableStatuses} is
     * replaced (its history and pending messages are deleted first); any other existing instance makes this throw
     * {@link InstanceAlreadyExistsException} and change nothing.
     *
     * <p>The state is stored as given (status, created and last-updated times, execution id); the history gets a
     * version never used for this instance id before, as a new instance's does, so a worker's cached copy of a replaced
     * history is never taken for it. Every message and activity request of {@code instance} is enqueued (messages may
     * address other instances). When this returns, the import is durable.
     *
     * <p>This default refuses with a {@link ConfigurationException}; every provider of this repository implements it.
     *
     * @return whether an existing instance was replaced
     */
    default boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceableStatuses) {
        throw new ConfigurationException("This storage provider cannot import instances (it does not implement "
                + "InstanceStore.importInstance). Import into a task hub on another provider, or upgrade the provider.");
    }

    /** The instance's state, or empty when it does not exist. Input and output are included. */
    Optional<InstanceState> getInstance(String instanceId);

    /**
     * One page of instances matching the query's filters (created from inclusive, created to inclusive, statuses,
     * id prefix), in a stable order — (createdAt, instanceId) where the store can page by it, otherwise the store's key
     * order (document which) — starting after the position encoded in the continuation token (see
     * {@link ContinuationTokens}: a token is a position only, the filters and the hub always come from the query and
     * the store; a malformed token is refused with {@link dev.taskhub.InvalidRequestException}). Input
     * and output are returned only when {@link InstanceQuery#fetchInputsAndOutputs()}. Every matching instance appears
     * exactly once across the pages, even while instances are being created. The query was validated by the caller.
     */
    InstancePage queryInstances(InstanceQuery query);

    /**
     * How many instances match the query's filters (created range, statuses, id prefix; its paging fields are ignored),
     * per orchestration name and status. This default pages through {@link #queryInstances} without payloads, which is
     * correct for every store and linear in the number of matches; stores that can count in place (an aggregate over an
     * index) override it. The query was validated by the caller.
     */
    default InstanceCounts countInstances(InstanceQuery query) {
        InstanceCounts.Tally tally = new InstanceCounts.Tally();
        InstanceQuery page = query.toBuilder().pageSize(InstanceQuery.MAX_PAGE_SIZE).fetchInputsAndOutputs(false)
                .continuationToken(null).build();
        while (true) {
            InstancePage result = queryInstances(page);
            result.instances().forEach(s -> tally.add(s.name(), s.status()));
            if (result.continuationToken() == null) {
                return tally.build();
            }
            page = page.withContinuationToken(result.continuationToken());
        }
    }

    /**
     * Instances held up for longer than {@code query.threshold()} before {@code now}, each with the
     * {@link StuckReason}s that apply, ordered by (createdAt, instanceId), at most {@code query.limit()} (then
     * {@code more}). The reasons:
     * <ul>
     *   <li>{@code PENDING}: status PENDING, created before the cutoff ({@code now - threshold}) and its scheduled start
     *       (if any) before the cutoff too;</li>
     *   <li>{@code OVERDUE_TIMER}: status RUNNING with a {@code TimerFired} message visible since before the cutoff and
     *       not consumed;</li>
     *   <li>{@code LOCKED_PAST_LEASE}: its work item is still locked by a lease that ended before the cutoff (nobody took
     *       it over);</li>
     *   <li>{@code REPEATED_FAILURES}: its current messages were delivered at least {@code query.repeatedDeliveries()}
     *       times without a checkpoint that consumed them.</li>
     * </ul>
     * Instances that do not exist (messages waiting for an instance row) are not reported. The answer's
     * {@code examined} says which reasons the store looked for.
     *
     * <p>This default sees only {@code PENDING} (from {@link #queryInstances}, paging through the pending instances
     * created before the cutoff) and says so in {@code examined}: the SPI has no way to look at queued messages or locks
     * without taking them. Stores override it to look at their queues (an index-backed query where they have one).
     */
    default StuckInstances findStuckInstances(StuckQuery query, Instant now) {
        Instant cutoff = now.minus(query.threshold());
        List<StuckInstance> found = new ArrayList<>();
        InstanceQuery page = InstanceQuery.builder().statuses(RuntimeStatus.PENDING).createdTo(cutoff)
                .pageSize(InstanceQuery.MAX_PAGE_SIZE).build();
        while (true) {
            InstancePage result = queryInstances(page);
            for (InstanceState s : result.instances()) {
                if (s.scheduledStartAt() != null && !s.scheduledStartAt().isBefore(cutoff)) {
                    continue;
                }
                if (found.size() == query.limit()) {
                    return new StuckInstances(found, true, Set.of(StuckReason.PENDING), now);
                }
                found.add(new StuckInstance(s.instanceId(), s.name(), s.status(), Set.of(StuckReason.PENDING), s.createdAt(),
                        s.scheduledStartAt() != null ? s.scheduledStartAt() : s.createdAt(), null, 0));
            }
            if (result.continuationToken() == null) {
                return new StuckInstances(found, false, Set.of(StuckReason.PENDING), now);
            }
            page = page.withContinuationToken(result.continuationToken());
        }
    }

    /**
     * Deletes the instance, its history, its pending messages, stored payloads and quarantine records, if it exists
     * and its status is terminal. Returns whether it was deleted. A store that cannot delete queued messages selectively must make sure
     * they are dropped when they arrive (e.g. because they address an execution that no longer exists).
     */
    boolean purgeInstance(String instanceId);

    /**
     * Deletes those of the given instances that exist and are terminal, as {@link #purgeInstance} does for one, and
     * returns the ids it deleted. Used by bulk purge jobs, a page (up to 1,000 ids) at a time. This default purges them
     * one at a time; stores that can delete many at once override it.
     */
    default Set<String> purgeInstancesById(Collection<String> instanceIds) {
        Set<String> deleted = new LinkedHashSet<>();
        for (String id : instanceIds) {
            if (purgeInstance(id)) {
                deleted.add(id);
            }
        }
        return deleted;
    }

    /**
     * Deletes every terminal instance matching the criteria (created from/to, statuses), with history, messages and
     * payloads, in set-based batches where the store allows it. Returns how many instances were deleted.
     */
    long purgeInstances(PurgeCriteria criteria);

    /**
     * Retention's bounded purge: deletes, as {@link #purgeInstance} does, at most {@code expired.limit()} instances
     * that match {@code expired} (status, orchestration name or names excepted, last-updated time before the bound) and
     * returns how many it deleted. Any of the matching instances may be chosen (oldest first where an index allows it);
     * several processes may run this at once, and an instance purged meanwhile by another simply does not count.
     *
     * <p>This default pages through {@link #queryInstances} for the status (no payloads), collects up to the limit
     * matches and purges them one by one: correct for every store, but each call reads every instance of the status
     * until it has found the limit. Stores that can select expired instances by an index (status and last-updated
     * time) override it.
     */
    default int purgeExpiredInstances(ExpiredInstances expired) {
        List<String> ids = new ArrayList<>();
        InstanceQuery page = InstanceQuery.builder().statuses(expired.status()).pageSize(InstanceQuery.MAX_PAGE_SIZE)
                .fetchInputsAndOutputs(false).build();
        while (ids.size() < expired.limit()) {
            InstancePage result = queryInstances(page);
            for (InstanceState s : result.instances()) {
                if (ids.size() < expired.limit() && expired.matches(s)) {
                    ids.add(s.instanceId());
                }
            }
            if (result.continuationToken() == null) {
                break;
            }
            page = page.withContinuationToken(result.continuationToken());
        }
        int purged = 0;
        for (String id : ids) {
            if (purgeInstance(id)) {
                purged++;
            }
        }
        return purged;
    }
}

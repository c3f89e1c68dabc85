package dev.taskhub.spi;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.RetentionPolicy;

import java.util.List;

/**
 * The task hub's retention policies ({@link RetentionPolicy}), stored with the hub and deleted with it. At most one
 * policy per (status, orchestration name); each call is atomic on its own, and concurrent writes of the same (status,
 * name) end with the last writer's policy (writes of different policies never undo one another). Thread-safe. The
 * purge that enforces the policies is {@link InstanceStore#purgeExpiredInstances}.
 */
public interface RetentionStore {
    /** Every policy of the hub, in {@link RetentionPolicy#ORDER}; empty when there are none. */
    List<RetentionPolicy> retentionPolicies();

    /** Adds the policy, or replaces the hub's policy of the same (status, orchestration name). */
    void putRetentionPolicy(RetentionPolicy policy);

    /**
     * Removes the policy of this (status, orchestration name: null for the one that covers every name, never blank);
     * returns whether there was one.
     */
    boolean removeRetentionPolicy(RuntimeStatus status, String orchestrationName);
}

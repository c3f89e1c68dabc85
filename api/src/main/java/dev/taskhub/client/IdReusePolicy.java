package dev.taskhub.client;

import dev.taskhub.RuntimeStatus;

import java.util.EnumSet;
import java.util.Set;

/** What starting an instance does when an instance with the same id already exists. */
public enum IdReusePolicy {
    /** The default: fail when the existing instance is pending, running or suspended; replace it when it is finished. */
    REPLACE_IF_FINISHED(EnumSet.of(RuntimeStatus.COMPLETED, RuntimeStatus.FAILED, RuntimeStatus.TERMINATED)),
    /** Fail whenever an instance with the id exists. */
    FAIL_IF_EXISTS(EnumSet.noneOf(RuntimeStatus.class)),
    /** Replace the existing instance whatever its status (a running one is abandoned with its pending work). */
    ALWAYS_REPLACE(EnumSet.allOf(RuntimeStatus.class)),
    /** Keep an existing unfinished instance and return its id without starting anything; replace a finished one. */
    KEEP_IF_ACTIVE(EnumSet.of(RuntimeStatus.COMPLETED, RuntimeStatus.FAILED, RuntimeStatus.TERMINATED));

    private final Set<RuntimeStatus> replaceable;

    IdReusePolicy(Set<RuntimeStatus> replaceable) {
        this.replaceable = replaceable;
    }

    /** The statuses of an existing instance that this policy replaces. */
    public Set<RuntimeStatus> replaceableStatuses() {
        return EnumSet.copyOf(replaceable.isEmpty() ? EnumSet.noneOf(RuntimeStatus.class) : replaceable);
    }
}

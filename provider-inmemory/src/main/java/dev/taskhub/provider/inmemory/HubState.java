package dev.taskhub.provider.inmemory;

import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.spi.InstanceState;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the stores of one in-memory hub share: the clock, the one lock that guards all of the hub's state, and the
 * instance rows (written by {@link InstanceRepository} and {@link CheckpointWriter}, read by the queues when they hand
 * out work). Every operation is a few map updates, so one lock is both simplest and fast, and it makes a checkpoint,
 * which touches every store, atomic.
 */
final class HubState {
    /** One instance: its state, its current execution's history and that history's version. */
    static final class Instance {
        InstanceState state;
        List<HistoryEvent> history = new ArrayList<>();
        long historyVersion;
    }

    final Clock clock;
    /** The clock again when it is a {@link VirtualClock} that this hub moves forward when idle; else null. */
    final VirtualClock virtualClock;
    final ReentrantLock lock = new ReentrantLock();
    final Map<String, Instance> instances = new HashMap<>();
    /** The hub's retention policies, at most one per (status, name). */
    final List<RetentionPolicy> retentionPolicies = new ArrayList<>();
    /** The hub's quarantine records by id. */
    final Map<String, QuarantineRecord> quarantine = new HashMap<>();

    HubState(Clock clock) {
        this.clock = clock;
        this.virtualClock = clock instanceof VirtualClock v ? v : null;
    }
}

package dev.taskhub.client;

import java.time.Duration;

/**
 * A task hub's health, for a load balancer and for people: whether its storage answers, how fast, whether instances
 * are stuck (in {@code Pending} with no worker picking them up, or for the other reasons of
 * {@link dev.taskhub.query.StuckReason}) and whether poison messages are quarantined. Built by {@link TaskHubClient#health}.
 *
 * @param status           {@link Status#DOWN} when the storage did not answer, {@link Status#DEGRADED} when instances
 *                         are stuck, messages are quarantined or the storage answered slower than {@link #SLOW_STORAGE},
 *                         else {@link Status#UP}
 * @param storageLatency   how long the storage took to answer the check (null when it did not answer)
 * @param stuckPending     instances pending longer than {@code pendingThreshold} whose start is due (not scheduled for
 *                         later); at most {@link #MAX_STUCK_COUNTED}, then {@code stuckPendingMore} is true
 * @param stuckPendingMore whether there are more stuck instances than were counted
 * @param stuckInstances   instances stuck for any reason (those in {@code stuckPending} included), at most
 *                         {@link #MAX_STUCK_COUNTED}
 * @param quarantined      quarantine records of poison messages, at most {@link #MAX_STUCK_COUNTED}, then
 *                         {@code quarantinedMore} is true
 * @param quarantinedMore  whether there are more quarantine records than were counted
 * @param pendingThreshold how long an instance may stay pending before it counts as stuck
 * @param problem          what is wrong and what to check, or null when up
 */
public record HubHealth(Status status, Duration storageLatency, long stuckPending, boolean stuckPendingMore,
                        long stuckInstances, long quarantined, boolean quarantinedMore, Duration pendingThreshold, String problem) {
    /** The default for {@code pendingThreshold}. */
    public static final Duration DEFAULT_PENDING_THRESHOLD = Duration.ofMinutes(5);
    /** A storage answer slower than this makes the hub {@link Status#DEGRADED}. */
    public static final Duration SLOW_STORAGE = Duration.ofSeconds(5);
    /** Stuck instances and quarantine records are counted up to this many. */
    public static final int MAX_STUCK_COUNTED = 1000;

    /** Up, degraded or down; the wire names are {@code Up}, {@code Degraded}, {@code Down}. */
    public enum Status {
        UP("Up"), DEGRADED("Degraded"), DOWN("Down");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}

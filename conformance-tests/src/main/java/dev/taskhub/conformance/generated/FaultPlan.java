package dev.taskhub.conformance.generated;

/**
 * How often the {@link FaultyProvider} injects each fault (probability per call it intercepts), and how often the
 * harness crashes the worker.
 *
 * @param duplicateDelivery  re-send an episode's or activity's outbound messages after they were committed
 * @param abandon            abandon a freshly locked orchestration work item instead of handing it to the worker
 * @param staleCommit        refuse a checkpoint as stale (LeaseLostException) without applying it, and release the lock
 * @param lockLost           release an orchestration lock in the store right after locking, so the worker's commit is refused
 * @param activityLeaseLost  release an activity's lock right after locking it: it runs twice, one result is refused
 * @param crashEveryMillis   crash the worker (and, for DURABLE providers, the provider object) this often; 0 = never
 */
public record FaultPlan(double duplicateDelivery, double abandon, double staleCommit, double lockLost,
                        double activityLeaseLost, long crashEveryMillis) {
    public static final FaultPlan NONE = new FaultPlan(0, 0, 0, 0, 0, 0);
    public static final FaultPlan DEFAULT = new FaultPlan(0.05, 0.03, 0.03, 0.03, 0.03, 3_000);

    @Override
    public String toString() {
        return "duplicate=" + duplicateDelivery + " abandon=" + abandon + " stale=" + staleCommit + " lockLost=" + lockLost
                + " activityLeaseLost=" + activityLeaseLost + " crashEvery=" + crashEveryMillis + "ms";
    }
}

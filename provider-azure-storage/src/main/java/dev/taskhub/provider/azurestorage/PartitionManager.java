package dev.taskhub.provider.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.LeaseStateType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.specialized.BlobLeaseClient;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Owns a fair share of the control-queue partitions through blob leases ({@code partition-NN} blobs in the leases
 * container) and rebalances as workers come and go. Workers announce themselves with a heartbeat blob
 * ({@code workers/<id>}); a worker is alive while its heartbeat is younger than one lease period. With W live
 * workers sorted by id, the worker of rank r targets {@code N/W} partitions, plus one when {@code r < N%W}. A worker
 * above its target drains extras (stops reading them, waits until their locks are gone, makes buffered messages
 * visible, releases the lease); a worker below it acquires free or expired leases. A dead worker's leases expire
 * and are picked up. Thread-safe.
 */
final class PartitionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    /** What the dispatcher must do when partitions move. */
    interface Listener {
        /** Whether an instance of the partition is currently locked in this process. */
        boolean hasActiveLocks(int partition);

        /** The partition is no longer ours (released or lost): forget buffered messages, release them if possible. */
        void partitionGone(int partition, boolean graceful);

        /** The text of this worker's heartbeat blob, written every cycle (what it knows that others cannot see). */
        String heartbeat(Instant now);
    }

    private record Owned(BlobLeaseClient lease, Instant validUntil) {}

    private final BlobContainerClient container;
    private final AzureSettings settings;
    private final String workerId;
    private final String leaseId = UUID.randomUUID().toString();
    private final Listener listener;
    private final Map<Integer, Owned> owned = new ConcurrentHashMap<>();
    private final Set<Integer> draining = ConcurrentHashMap.newKeySet();
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean closed;
    private volatile long lastDemand = System.nanoTime();

    PartitionManager(BlobContainerClient container, AzureSettings settings, Listener listener) {
        this.container = container;
        this.settings = settings;
        this.workerId = settings.workerId().replaceAll("[^A-Za-z0-9._@-]", "_");
        this.listener = listener;
    }

    static String blobName(int partition) {
        return String.format("partition-%02d", partition);
    }

    /**
     * Records that someone asks for orchestration work, and starts balancing if it is not running: one cycle now,
     * then renewals in the background. Cheap when already running.
     */
    void demand() {
        lastDemand = System.nanoTime();
        if (scheduler == null) {
            start();
        }
    }

    /** Runs one balancing cycle now, then keeps renewing in the background. Idempotent. */
    synchronized void start() {
        if (scheduler != null || closed) {
            return;
        }
        try {
            cycle();
        } catch (RuntimeException e) {
            LOG.warn("First partition balancing cycle failed ({}); retrying in the background", e.toString());
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "taskhub-azure-partitions-" + container.getBlobContainerName());
            t.setDaemon(true);
            return t;
        });
        long period = settings.partitionRenewInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                cycle();
            } catch (RuntimeException e) {
                LOG.warn("Partition balancing cycle failed: {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    boolean started() {
        return scheduler != null;
    }

    /** Partitions this worker may read from now (owned, valid and not draining). */
    List<Integer> readablePartitions() {
        Instant now = Instant.now();
        List<Integer> result = new ArrayList<>();
        for (Map.Entry<Integer, Owned> e : owned.entrySet()) {
            if (!draining.contains(e.getKey()) && e.getValue().validUntil().isAfter(now)) {
                result.add(e.getKey());
            }
        }
        result.sort(null);
        return result;
    }

    /** Whether this worker still holds the partition's lease with some margin, so a commit may proceed. */
    boolean owns(int partition) {
        Owned o = owned.get(partition);
        return o != null && o.validUntil().isAfter(Instant.now().plusSeconds(2));
    }

    Set<Integer> ownedPartitions() {
        return new TreeSet<>(owned.keySet());
    }

    synchronized void cycle() {
        if (closed) {
            return;
        }
        renewAll();
        if (System.nanoTime() - lastDemand > settings.idleRelease().toNanos()) {
            // nobody dispatches orchestrations through this provider any more (its worker stopped): hand the
            // partitions to the workers that do, and stop until work is asked for again
            draining.addAll(owned.keySet());
            for (Integer p : new ArrayList<>(draining)) {
                if (!listener.hasActiveLocks(p)) {
                    release(p);
                }
            }
            if (owned.isEmpty()) {
                LOG.debug("Worker {} is idle and released its partitions", workerId);
                try {
                    container.getBlobClient("workers/" + workerId).deleteIfExists();
                } catch (RuntimeException ignored) {
                    // the heartbeat ages out
                }
                if (scheduler != null) {
                    scheduler.shutdown();
                    scheduler = null;
                }
            }
            return;
        }
        Instant now = Instant.now();
        container.getBlobClient("workers/" + workerId).upload(BinaryData.fromString(listener.heartbeat(now)), true);
        TreeSet<String> alive = new TreeSet<>();
        alive.add(workerId);
        List<Integer> free = new ArrayList<>();
        for (BlobItem item : container.listBlobs(new ListBlobsOptions().setDetails(new BlobListDetails()), null)) {
            String name = item.getName();
            if (name.startsWith("workers/")) {
                Instant modified = item.getProperties().getLastModified().toInstant();
                if (modified.isAfter(now.minus(settings.partitionLease()).minusSeconds(2))) {
                    alive.add(name.substring("workers/".length()));
                }
            } else if (name.startsWith("partition-")) {
                int p = Integer.parseInt(name.substring("partition-".length()));
                LeaseStateType state = item.getProperties().getLeaseState();
                if (p < settings.partitionCount() && !owned.containsKey(p) && state != LeaseStateType.LEASED) {
                    free.add(p);
                }
            }
        }
        int workers = alive.size();
        int rank = alive.headSet(workerId).size();
        int n = settings.partitionCount();
        int target = n / workers + (rank < n % workers ? 1 : 0);
        int mine = owned.size() - draining.size();
        if (mine > target) {
            List<Integer> candidates = new ArrayList<>(owned.keySet());
            candidates.removeAll(draining);
            candidates.sort(null);
            for (int i = candidates.size() - 1; i >= 0 && mine > target; i--, mine--) {
                LOG.debug("Worker {} drains partition {} ({} workers alive, target {})", workerId, candidates.get(i), workers, target);
                draining.add(candidates.get(i));
            }
        } else {
            for (int p : free) {
                if (mine >= target) {
                    break;
                }
                if (tryAcquire(p)) {
                    mine++;
                }
            }
        }
        for (Integer p : new ArrayList<>(draining)) {
            if (!listener.hasActiveLocks(p)) {
                release(p);
            }
        }
    }

    private void renewAll() {
        for (Map.Entry<Integer, Owned> e : new ArrayList<>(owned.entrySet())) {
            int p = e.getKey();
            try {
                Instant before = Instant.now();
                e.getValue().lease().renewLease();
                owned.put(p, new Owned(e.getValue().lease(), before.plus(settings.partitionLease())));
            } catch (RuntimeException ex) {
                int status = AzureErrors.status(ex);
                if (status == 409 || status == 404 || status == 412 || !e.getValue().validUntil().isAfter(Instant.now())) {
                    LOG.info("Worker {} lost partition {} ({})", workerId, p, status > 0 ? "HTTP " + status : ex.toString());
                    owned.remove(p);
                    draining.remove(p);
                    listener.partitionGone(p, false);
                } else {
                    LOG.warn("Renewing the lease of partition {} failed, will retry: {}", p, ex.toString());
                }
            }
        }
    }

    private boolean tryAcquire(int p) {
        BlobLeaseClient lease = new BlobLeaseClientBuilder().blobClient(container.getBlobClient(blobName(p))).leaseId(leaseId).buildClient();
        try {
            Instant before = Instant.now();
            lease.acquireLease((int) settings.partitionLease().toSeconds());
            owned.put(p, new Owned(lease, before.plus(settings.partitionLease())));
            LOG.debug("Worker {} acquired partition {}", workerId, p);
            return true;
        } catch (RuntimeException e) {
            LOG.debug("Worker {} could not acquire partition {}: {}", workerId, p, e.toString());
            return false;
        }
    }

    private void release(int p) {
        Owned o = owned.get(p);
        if (o == null) {
            draining.remove(p);
            return;
        }
        listener.partitionGone(p, true);
        owned.remove(p);
        draining.remove(p);
        try {
            o.lease().releaseLease();
            LOG.debug("Worker {} released partition {}", workerId, p);
        } catch (RuntimeException e) {
            LOG.debug("Releasing partition {} failed (it will expire): {}", p, e.toString());
        }
    }

    /** Stops renewing, releases every lease and removes the heartbeat, so other workers take over at once. */
    @Override
    public synchronized void close() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        for (Integer p : new ArrayList<>(owned.keySet())) {
            release(p);
        }
        try {
            container.getBlobClient("workers/" + workerId).deleteIfExists();
        } catch (RuntimeException ignored) {
            // the heartbeat ages out
        }
    }

    /** Stops renewing and forgets ownership without releasing (the hub is being deleted); {@link #start()} may run again. */
    synchronized void reset() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
        owned.clear();
        draining.clear();
    }

    /** Whether the partition may receive new locks (owned, valid, not draining). */
    boolean dispatchable(int partition) {
        Owned o = owned.get(partition);
        return o != null && !draining.contains(partition) && o.validUntil().isAfter(Instant.now().plusSeconds(2));
    }

    /** Simulates a crash in tests: stop renewing without releasing anything. */
    synchronized void abandon() {
        closed = true;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        owned.clear();
    }

    /** The heartbeat texts of the other live workers (heartbeat younger than one lease period). */
    List<String> otherHeartbeats() {
        Instant cutoff = Instant.now().minus(settings.partitionLease()).minusSeconds(2);
        List<String> texts = new ArrayList<>();
        for (BlobItem item : container.listBlobs(new ListBlobsOptions().setPrefix("workers/"), null)) {
            if (!item.getName().equals("workers/" + workerId) && item.getProperties().getLastModified().toInstant().isAfter(cutoff)) {
                try {
                    texts.add(container.getBlobClient(item.getName()).downloadContent().toString());
                } catch (RuntimeException gone) {
                    // the worker stopped meanwhile
                }
            }
        }
        return texts;
    }

    Duration leaseDuration() {
        return settings.partitionLease();
    }
}

package dev.taskhub.provider.azurestorage;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import dev.taskhub.spi.OrchestrationWorkItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.taskhub.provider.azurestorage.SpiFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two provider instances (as two workers) on one hub: partitions split, never both lock one instance, takeover. */
class PartitionBalancingTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PartitionBalancingTest.class);
    private final List<AzureStorageProvider> providers = new ArrayList<>();
    private String hub;

    @BeforeEach
    void setUp() {
        hub = AzuriteFixture.hubName("AzBal");
    }

    @AfterEach
    void tearDown() {
        for (AzureStorageProvider p : providers) {
            p.close();
        }
        if (!providers.isEmpty()) {
            providers.get(0).deleteTaskHub();
        }
    }

    private AzureStorageProvider open() {
        AzureStorageProvider p = AzuriteFixture.provider(hub);
        providers.add(p);
        return p;
    }

    /**
     * Locks and redeliveries live in the worker's memory, and its received messages are invisible in the queue: another
     * process sees them through the worker's heartbeat. A lock that ran past its lease, then a second delivery.
     */
    @Test
    void anotherProcess_seesAWorkersLockPastItsLease_andItsRedeliveries_throughItsHeartbeat() {
        AzureStorageProvider worker = open();
        worker.createTaskHub();
        AzureStorageProvider other = open();
        String id = "stuck-" + newId();
        create(worker, id, null);
        OrchestrationWorkItem first = null;
        for (int i = 0; i < 100 && first == null; i++) {
            List<OrchestrationWorkItem> items = worker.lockOrchestrationWorkItems(1, Duration.ofMillis(500), Duration.ofMillis(200));
            first = items.isEmpty() ? null : items.get(0);
        }
        assertThat(first).as("locked").isNotNull();
        Instant lockedUntil = first.lockedUntil();
        StuckQuery now = StuckQuery.builder().threshold(Duration.ZERO).build();
        assertThat(other.findStuckInstances(now, Instant.now()).examined()).containsExactlyInAnyOrder(StuckReason.values());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            StuckInstance s = stuckOne(other, id, now);
            assertThat(s).as("seen through the heartbeat").isNotNull();
            assertThat(s.reasons()).contains(StuckReason.LOCKED_PAST_LEASE).doesNotContain(StuckReason.REPEATED_FAILURES);
            assertThat(s.lockExpiredAt()).isEqualTo(lockedUntil);
            assertThat(s.deliveryCount()).isEqualTo(1);
        });
        assertThat(stuckOne(other, id, StuckQuery.builder().threshold(Duration.ofHours(1)).build())).isNull();

        OrchestrationWorkItem second = lockOne(worker, Duration.ofSeconds(10));
        assertThat(second.deliveryCount()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            StuckInstance s = stuckOne(other, id, now);
            assertThat(s).isNotNull();
            assertThat(s.reasons()).contains(StuckReason.REPEATED_FAILURES).doesNotContain(StuckReason.LOCKED_PAST_LEASE);
            assertThat(s.deliveryCount()).isEqualTo(2);
        });
        assertThat(stuckOne(other, id, StuckQuery.builder().threshold(Duration.ZERO).repeatedDeliveries(3).build()).reasons())
                .as("still pending, but not delivered 3 times").containsExactly(StuckReason.PENDING);
    }

    private static StuckInstance stuckOne(AzureStorageProvider p, String id, StuckQuery query) {
        return p.findStuckInstances(query, Instant.now()).instances().stream().filter(s -> s.instanceId().equals(id)).findFirst().orElse(null);
    }

    @Test
    void twoWorkers_splitPartitionsAndNeverLockTheSameInstance() throws Exception {
        LOG.info("start");
        AzureStorageProvider a = open();
        a.createTaskHub();
        LOG.info("hub created");
        a.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO);
        LOG.info("A started: {}", a.ownedPartitions());
        assertThat(a.ownedPartitions()).containsExactly(0, 1, 2, 3);
        AzureStorageProvider b = open();
        b.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            a.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO); // keep asking for work, as a worker does
            b.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO);
            assertThat(a.ownedPartitions()).hasSize(2);
            assertThat(b.ownedPartitions()).hasSize(2);
        });
        LOG.info("balanced: A {} B {}", a.ownedPartitions(), b.ownedPartitions());
        Set<Integer> union = new HashSet<>(a.ownedPartitions());
        union.addAll(b.ownedPartitions());
        assertThat(union).containsExactly(0, 1, 2, 3);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String id = "bal-" + i;
            create(a, id, null);
            ids.add(id);
        }
        Map<String, String> live = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        Map<String, String> completedBy = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (AzureStorageProvider p : List.of(a, b)) {
            for (int t = 0; t < 2; t++) {
                String name = (p == a ? "A" : "B") + t;
                Thread thread = new Thread(() -> {
                    while (!stop.get()) {
                        for (OrchestrationWorkItem item : p.lockOrchestrationWorkItems(3, Duration.ofSeconds(30), Duration.ofMillis(200))) {
                            String other = live.putIfAbsent(item.instanceId(), name);
                            if (other != null) {
                                violations.add(item.instanceId() + " locked by " + name + " while " + other + " held it");
                            }
                            try {
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                return;
                            }
                            live.remove(item.instanceId(), name);
                            List<CommitResult> r = p.commitCheckpoints(List.of(complete(item, "\"" + name + "\"")));
                            if (r.get(0).isCommitted() && completedBy.putIfAbsent(item.instanceId(), name) != null) {
                                violations.add(item.instanceId() + " completed twice");
                            }
                        }
                    }
                }, "bal-" + name);
                threads.add(thread);
                thread.start();
            }
        }
        try {
            await().atMost(Duration.ofSeconds(40)).until(() -> completedBy.size() == ids.size());
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(5000);
            }
        }
        LOG.info("all {} completed", ids.size());
        assertThat(violations).isEmpty();
        assertThat(new HashSet<>(completedBy.values()).stream().map(n -> n.charAt(0)).distinct()).as("both workers did work").hasSize(2);
        for (String id : ids) {
            assertThat(a.getInstance(id).orElseThrow().status()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(a.getHistory(id)).filteredOn(e -> e instanceof HistoryEvent.ExecutionCompleted).hasSize(1);
        }

        // a worker that stops releases its partitions; the other takes them at once
        LOG.info("checked histories; closing B");
        b.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            a.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO);
            assertThat(a.ownedPartitions()).containsExactly(0, 1, 2, 3);
        });
    }

    @Test
    void idleProvider_releasesItsPartitionsToAWorkerThatAsks() {
        AzureStorageProvider idle = open();
        idle.createTaskHub();
        idle.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO);
        assertThat(idle.ownedPartitions()).hasSize(4);
        AzureStorageProvider busy = open();
        // only "busy" keeps asking for work; "idle" (whose worker stopped) hands everything over
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            busy.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO);
            assertThat(busy.ownedPartitions()).containsExactly(0, 1, 2, 3);
        });
        assertThat(idle.ownedPartitions()).isEmpty();
    }

    @Test
    void deadWorker_partitionsAreTakenOverWhenItsLeasesExpire() {
        AzureStorageProvider dead = open();
        dead.createTaskHub();
        dead.lockOrchestrationWorkItems(1, Duration.ofSeconds(5), Duration.ZERO);
        assertThat(dead.ownedPartitions()).hasSize(4);
        String id = newId();
        create(dead, id, null);
        OrchestrationWorkItem lost = null;
        for (int i = 0; i < 20 && lost == null; i++) {
            List<OrchestrationWorkItem> items = dead.lockOrchestrationWorkItems(1, Duration.ofSeconds(2), Duration.ofMillis(500));
            lost = items.isEmpty() ? null : items.get(0);
        }
        assertThat(lost).isNotNull();
        dead.partitionManager().abandon(); // the process "dies": no renewals, no release

        AzureStorageProvider survivor = open();
        long start = System.nanoTime();
        OrchestrationWorkItem item = lockOne(survivor, Duration.ofSeconds(40));
        assertThat(item).as("taken over after the dead worker's leases and message visibility expired").isNotNull();
        assertThat(item.instanceId()).isEqualTo(id);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(5));
        assertThat(survivor.commitCheckpoints(List.of(complete(item, "1")))).containsExactly(CommitResult.COMMITTED);
        // the dead worker's late commit is refused
        assertThat(dead.commitCheckpoints(List.of(complete(lost, "2")))).singleElement().isInstanceOf(CommitResult.Refused.class);
        assertThat(survivor.getInstance(id).orElseThrow().output()).isEqualTo("1");
    }
}

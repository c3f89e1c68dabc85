package dev.taskhub.provider.postgres;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.taskhub.provider.postgres.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The provider's own SPI-level tests against a real PostgreSQL. */
class PostgresProviderTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration NO_WAIT = Duration.ZERO;

    private PostgresStorageProvider provider;

    @BeforeEach
    void setUp() {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgtest"), Map.of());
    }

    @AfterEach
    void tearDown() {
        PostgresTestDatabase.deleteAndClose(provider);
    }

    private OrchestrationWorkItem lockOne() {
        List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(5));
        assertThat(items).hasSize(1);
        return items.get(0);
    }

    @Test
    void commitAndLock_locksTheNextInstances_andTheActivitiesTheBatchScheduled_inTheSameCall() {
        provider.createInstance(pending("a"), start("a"), Set.of());
        OrchestrationWorkItem a = lockOne();
        provider.createInstance(pending("b"), start("b"), Set.of());
        provider.createInstance(pending("c"), start("c"), Set.of());

        CommittedBatch<OrchestrationWorkItem> next = provider.commitCheckpointsAndLock(List.of(episode(a, RuntimeStatus.RUNNING,
                List.of(event("c", "FromA", null)), List.of(activity("a", 0, "One"), activity("a", 1, "Two")))), 10, LEASE);

        assertThat(next.results()).containsExactly(CommitResult.COMMITTED);
        assertThat(next.locked()).extracting(OrchestrationWorkItem::instanceId).containsExactlyInAnyOrder("b", "c");
        assertThat(next.locked()).filteredOn(i -> i.instanceId().equals("c")).singleElement()
                .satisfies(c -> assertThat(c.messages()).extracting(m -> m.event().eventType())
                        .containsExactly("ExecutionStarted", "EventRaised"));
        assertThat(provider.lockOrchestrationWorkItems(10, LEASE, NO_WAIT)).as("held by the batch").isEmpty();

        List<ActivityWorkItem> first = provider.lockActivityWorkItems(1, LEASE, NO_WAIT);
        assertThat(first).hasSize(1);
        CommittedBatch<ActivityWorkItem> nextActivities = provider.completeActivityWorkItemsAndLock(List.of(new ActivityResult(
                first.get(0), event("a", "Done", null))), 1, LEASE);
        assertThat(nextActivities.results()).containsExactly(CommitResult.COMMITTED);
        assertThat(nextActivities.locked()).extracting(w -> w.request().taskId()).containsExactly(1 - first.get(0).request().taskId());
        assertThat(provider.lockActivityWorkItems(10, LEASE, NO_WAIT)).as("held by the completion").isEmpty();
    }

    @Test
    void createLockCommit_writesHistoryAndState() {
        provider.createInstance(pending("i1"), start("i1"), Set.of());
        OrchestrationWorkItem item = lockOne();
        assertThat(item.instanceId()).isEqualTo("i1");
        assertThat(item.instance().status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(item.instance().input()).isEqualTo("\"in\"");
        assertThat(item.messages()).hasSize(1);
        assertThat(item.messages().get(0).event()).isInstanceOf(HistoryEvent.ExecutionStarted.class);
        assertThat(item.deliveryCount()).isEqualTo(1);

        List<CommitResult> results = provider.commitCheckpoints(List.of(episode(item, RuntimeStatus.RUNNING, List.of(),
                List.of(activity("i1", 0, "Say")))));
        assertThat(results).containsExactly(CommitResult.COMMITTED);

        assertThat(provider.getHistory("i1")).extracting(HistoryEvent::eventType)
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "OrchestratorCompleted");
        assertThat(provider.getInstance("i1")).get().extracting(InstanceState::status).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(provider.lockOrchestrationWorkItems(1, LEASE, NO_WAIT)).isEmpty();

        // the activity, then its result goes back to the instance
        List<ActivityWorkItem> acts = provider.lockActivityWorkItems(10, LEASE, Duration.ofSeconds(5));
        assertThat(acts).hasSize(1);
        assertThat(acts.get(0).request().name()).isEqualTo("Say");
        assertThat(provider.completeActivityWorkItems(List.of(new ActivityResult(acts.get(0), taskCompleted("i1", 0, "\"hi\"")))))
                .containsExactly(CommitResult.COMMITTED);
        assertThat(provider.lockActivityWorkItems(10, LEASE, NO_WAIT)).isEmpty();

        OrchestrationWorkItem second = lockOne();
        assertThat(second.historyVersion()).isEqualTo(item.historyVersion() + 1);
        assertThat(second.messages()).extracting(m -> m.event().eventType()).containsExactly("TaskCompleted");
        assertThat(provider.commitCheckpoints(List.of(episode(second, RuntimeStatus.COMPLETED, List.of(), List.of()))))
                .containsExactly(CommitResult.COMMITTED);
        assertThat(provider.getHistory("i1")).hasSize(6);
        assertThat(provider.getInstance("i1").orElseThrow().output()).isEqualTo("\"done\"");
    }

    @Test
    void fanIn_resultsWaitForTheirSiblings_andOneEpisodeTakesThemAll() {
        withResultCoalescing("PT30S", p -> {
            List<ActivityWorkItem> acts = fanOutThree(p);
            complete(p, acts.get(0));
            assertThat(p.lockOrchestrationWorkItems(1, LEASE, NO_WAIT)).as("two activities are still out").isEmpty();
            complete(p, acts.get(1));
            assertThat(p.lockOrchestrationWorkItems(1, LEASE, NO_WAIT)).as("one activity is still out").isEmpty();
            complete(p, acts.get(2));

            List<OrchestrationWorkItem> items = p.lockOrchestrationWorkItems(1, LEASE, NO_WAIT);
            assertThat(items).as("the last result is handed over at once, with the others").hasSize(1);
            assertThat(items.get(0).messages()).extracting(m -> m.event().eventType())
                    .containsExactly("TaskCompleted", "TaskCompleted", "TaskCompleted");
        });
    }

    @Test
    void fanIn_withoutCoalescing_eachResultIsHandedOverAtOnce() {
        withResultCoalescing("0", p -> {
            List<ActivityWorkItem> acts = fanOutThree(p);
            complete(p, acts.get(0));
            List<OrchestrationWorkItem> items = p.lockOrchestrationWorkItems(1, LEASE, NO_WAIT);
            assertThat(items).hasSize(1);
            assertThat(items.get(0).messages()).extracting(m -> m.event().eventType()).containsExactly("TaskCompleted");
        });
    }

    private static void withResultCoalescing(String value, java.util.function.Consumer<PostgresStorageProvider> test) {
        PostgresStorageProvider p = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgfanin"),
                Map.of(PostgresSettings.RESULT_COALESCING, value));
        try {
            test.accept(p);
        } finally {
            PostgresTestDatabase.deleteAndClose(p);
        }
    }

    @Test
    void resultCoalescing_isBounded() {
        assertThatThrownBy(() -> PostgresTestDatabase.provider("x", Map.of(PostgresSettings.RESULT_COALESCING, "PT2M")))
                .isInstanceOf(dev.taskhub.ConfigurationException.class)
                .hasMessageContaining("taskhub.postgres.resultCoalescing").hasMessageContaining("between 0 and 1 minute");
    }

    /** Starts instance "f", whose first episode schedules three activities; returns them locked. */
    private static List<ActivityWorkItem> fanOutThree(PostgresStorageProvider p) {
        p.createInstance(pending("f"), start("f"), Set.of());
        OrchestrationWorkItem item = p.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(5)).get(0);
        assertThat(p.commitCheckpoints(List.of(episode(item, RuntimeStatus.RUNNING, List.of(),
                List.of(activity("f", 0, "A"), activity("f", 1, "A"), activity("f", 2, "A"))))))
                .containsExactly(CommitResult.COMMITTED);
        List<ActivityWorkItem> acts = p.lockActivityWorkItems(3, LEASE, Duration.ofSeconds(5));
        assertThat(acts).hasSize(3);
        return acts;
    }

    private static void complete(PostgresStorageProvider p, ActivityWorkItem act) {
        assertThat(p.completeActivityWorkItems(List.of(new ActivityResult(act,
                taskCompleted("f", act.request().taskId(), "1"))))).containsExactly(CommitResult.COMMITTED);
    }

    @Test
    void createInstance_honoursIdReusePolicy() {
        provider.createInstance(pending("dup"), start("dup"), Set.of());
        assertThatThrownBy(() -> provider.createInstance(pending("dup"), start("dup"), Set.of(RuntimeStatus.COMPLETED)))
                .isInstanceOfSatisfying(InstanceAlreadyExistsException.class,
                        e -> assertThat(e.existingStatus()).isEqualTo(RuntimeStatus.PENDING));

        OrchestrationWorkItem item = lockOne();
        provider.commitCheckpoints(List.of(episode(item, RuntimeStatus.COMPLETED, List.of(), List.of())));
        assertThat(provider.getHistory("dup")).isNotEmpty();

        // replacing a completed instance deletes its history and starts afresh
        provider.createInstance(pending("dup"), start("dup"), Set.of(RuntimeStatus.COMPLETED));
        assertThat(provider.getHistory("dup")).isEmpty();
        assertThat(provider.getInstance("dup").orElseThrow().status()).isEqualTo(RuntimeStatus.PENDING);
        OrchestrationWorkItem again = lockOne();
        assertThat(again.messages()).hasSize(1);
        assertThat(again.historyVersion()).isNotEqualTo(item.historyVersion() + 1);
    }

    @Test
    void leaseExpiry_isTakenOver_andLateCommitIsRefused() throws Exception {
        provider.createInstance(pending("lease"), start("lease"), Set.of());
        OrchestrationWorkItem first = provider.lockOrchestrationWorkItems(1, Duration.ofMillis(300), NO_WAIT).get(0);
        assertThat(provider.lockOrchestrationWorkItems(1, LEASE, NO_WAIT)).isEmpty();

        // waits until the lease ends, then takes the instance over
        long t0 = System.nanoTime();
        List<OrchestrationWorkItem> taken = provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(5));
        assertThat(taken).hasSize(1);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(3));
        OrchestrationWorkItem second = taken.get(0);
        assertThat(second.lockToken()).isNotEqualTo(first.lockToken());
        assertThat(second.deliveryCount()).isEqualTo(2);

        List<CommitResult> late = provider.commitCheckpoints(List.of(episode(first, RuntimeStatus.RUNNING, List.of(), List.of())));
        assertThat(late.get(0)).isInstanceOfSatisfying(CommitResult.Refused.class,
                r -> assertThat(r.cause()).isInstanceOf(LeaseLostException.class));
        assertThatThrownBy(() -> provider.renewOrchestrationWorkItem(first, LEASE)).isInstanceOf(LeaseLostException.class);
        assertThat(provider.getHistory("lease")).isEmpty();

        assertThat(provider.renewOrchestrationWorkItem(second, LEASE)).isAfter(Instant.now().plusSeconds(20));
        assertThat(provider.commitCheckpoints(List.of(episode(second, RuntimeStatus.RUNNING, List.of(), List.of()))))
                .containsExactly(CommitResult.COMMITTED);
        assertThat(provider.getHistory("lease")).hasSize(3);
    }

    @Test
    void staleHistoryVersion_isRefusedAndNothingApplied() {
        provider.createInstance(pending("v"), start("v"), Set.of());
        OrchestrationWorkItem item = lockOne();
        OrchestrationWorkItem stale = new OrchestrationWorkItem(item.instanceId(), item.lockToken(), item.lockedUntil(),
                item.instance(), item.messages(), item.historyVersion() + 7, item.deliveryCount());
        List<CommitResult> results = provider.commitCheckpoints(List.of(
                episode(stale, RuntimeStatus.RUNNING, List.of(event("other", "x", null)), List.of(activity("v", 0, "A")))));
        assertThat(results.get(0).isCommitted()).isFalse();
        assertThat(provider.getHistory("v")).isEmpty();
        assertThat(provider.lockActivityWorkItems(5, LEASE, NO_WAIT)).isEmpty();
        assertThat(provider.lockOrchestrationWorkItems(5, LEASE, NO_WAIT)).isEmpty(); // "other" got nothing, "v" still locked
    }

    @Test
    void batchCommit_appliesValidCheckpointsAndRefusesOthers() {
        for (int i = 0; i < 5; i++) {
            provider.createInstance(pending("b" + i), start("b" + i), Set.of());
        }
        List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(10, LEASE, Duration.ofSeconds(5));
        assertThat(items).hasSize(5);
        List<Checkpoint> batch = new ArrayList<>();
        for (OrchestrationWorkItem item : items) {
            OrchestrationWorkItem maybeStale = item.instanceId().equals("b2")
                    ? new OrchestrationWorkItem(item.instanceId(), "not-the-token", item.lockedUntil(), item.instance(),
                    item.messages(), item.historyVersion(), item.deliveryCount())
                    : item;
            batch.add(episode(maybeStale, RuntimeStatus.RUNNING, List.of(event("b0", "ping", null)), List.of(activity(item.instanceId(), 0, "A"))));
        }
        List<CommitResult> results = provider.commitCheckpoints(batch);
        for (int i = 0; i < items.size(); i++) {
            assertThat(results.get(i).isCommitted()).as(items.get(i).instanceId()).isEqualTo(!items.get(i).instanceId().equals("b2"));
        }
        assertThat(provider.getHistory("b2")).isEmpty();
        assertThat(provider.getHistory("b1")).hasSize(3);
        assertThat(provider.lockActivityWorkItems(20, LEASE, NO_WAIT)).hasSize(4);
        // b0 got 4 pings; b2 is still locked by its (real) token
        List<OrchestrationWorkItem> next = provider.lockOrchestrationWorkItems(10, LEASE, NO_WAIT);
        assertThat(next).extracting(OrchestrationWorkItem::instanceId).containsExactly("b0");
        assertThat(next.get(0).messages()).hasSize(4);
    }

    @Test
    void skipLocked_twoThreadsNeverLockTheSameInstance() throws Exception {
        int n = 60;
        for (int i = 0; i < n; i++) {
            provider.createInstance(pending("s" + i), start("s" + i), Set.of());
        }
        Set<String> locked = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                futures.add(pool.submit(() -> {
                    while (true) {
                        List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(4, LEASE, Duration.ofMillis(200));
                        if (items.isEmpty()) {
                            return null;
                        }
                        for (OrchestrationWorkItem item : items) {
                            if (!locked.add(item.instanceId())) {
                                duplicates.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(duplicates).hasValue(0);
        assertThat(locked).hasSize(n);
    }

    @Test
    void messagesArriveInOrder_andMessagesDuringLockAreKept() {
        provider.createInstance(pending("o"), start("o"), Set.of());
        OrchestrationWorkItem item = lockOne();
        TaskMessage e1 = event("o", "e1", null);
        TaskMessage e2 = event("o", "e2", null);
        provider.sendOrchestrationMessage(e1);
        provider.sendOrchestrationMessage(e2);
        assertThat(provider.lockOrchestrationWorkItems(1, LEASE, NO_WAIT)).isEmpty(); // still locked
        provider.commitCheckpoints(List.of(episode(item, RuntimeStatus.RUNNING, List.of(), List.of())));
        OrchestrationWorkItem next = lockOne();
        assertThat(next.messages()).extracting(TaskMessage::messageId).containsExactly(e1.messageId(), e2.messageId());
        assertThat(next.deliveryCount()).isEqualTo(1);
    }

    @Test
    void messagesACheckpointSendsToItself_stayAheadOfMessagesThatArrivedDuringTheEpisode() {
        provider.createInstance(pending("can"), start("can"), Set.of());
        OrchestrationWorkItem item = lockOne();
        TaskMessage late = event("can", "late", null);
        provider.sendOrchestrationMessage(late);
        TaskMessage restart = start("can");
        TaskMessage carried = event("can", "carried", null);
        provider.commitCheckpoints(List.of(new Checkpoint(item, List.of(), true, withStatus(item, RuntimeStatus.CONTINUED_AS_NEW),
                List.of(restart, carried), List.of())));
        OrchestrationWorkItem next = lockOne();
        assertThat(next.messages()).extracting(TaskMessage::messageId)
                .containsExactly(restart.messageId(), carried.messageId(), late.messageId());
        assertThat(provider.getHistory("can")).isEmpty();
    }

    @Test
    void abandon_redeliversWithIncrementedDeliveryCount() {
        provider.createInstance(pending("ab"), start("ab"), Set.of());
        OrchestrationWorkItem item = lockOne();
        provider.abandonOrchestrationWorkItem(item, Duration.ZERO);
        OrchestrationWorkItem again = lockOne();
        assertThat(again.deliveryCount()).isEqualTo(2);
        assertThat(again.messages()).hasSize(1);
        provider.abandonOrchestrationWorkItem(again, Duration.ofSeconds(30));
        assertThat(provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofMillis(100))).isEmpty();
    }

    @Test
    void timer_isNotDeliveredEarly_andWakesTheWaiter() {
        provider.createInstance(pending("t"), start("t"), Set.of());
        OrchestrationWorkItem item = lockOne();
        Instant fireAt = Instant.now().plusMillis(700);
        provider.commitCheckpoints(List.of(episode(item, RuntimeStatus.RUNNING,
                List.of(new TaskMessage("timer-1", "t", "exec-1", new HistoryEvent.TimerFired(-1, fireAt, 0, fireAt), fireAt)), List.of())));
        assertThat(provider.lockOrchestrationWorkItems(1, LEASE, NO_WAIT)).isEmpty();
        List<OrchestrationWorkItem> fired = provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(5));
        Instant at = Instant.now();
        assertThat(fired).hasSize(1);
        assertThat(at).isAfterOrEqualTo(fireAt);
        assertThat(Duration.between(fireAt, at)).isLessThan(Duration.ofMillis(900)); // woken by the due time, not the 1 s poll
        assertThat(fired.get(0).messages().get(0).event()).isInstanceOf(HistoryEvent.TimerFired.class);
    }

    @Test
    void scheduledStart_isNotDeliveredEarly() {
        Instant startAt = Instant.now().plusMillis(500);
        provider.createInstance(pending("later"), start("later", startAt), Set.of());
        assertThat(provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofMillis(100))).isEmpty();
        List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(5));
        assertThat(items).hasSize(1);
        assertThat(Instant.now()).isAfterOrEqualTo(startAt);
    }

    @Test
    void messageToUnknownInstance_isDeliveredWithoutState_andCommitCreatesIt() {
        provider.sendOrchestrationMessage(start("child"));
        assertThat(provider.getInstance("child")).isEmpty();
        OrchestrationWorkItem item = lockOne();
        assertThat(item.instance()).isNull();
        InstanceState state = pending("child").withStatus(RuntimeStatus.RUNNING, now());
        provider.commitCheckpoints(List.of(new Checkpoint(item, List.of(item.messages().get(0).event()), false, state, List.of(), List.of())));
        assertThat(provider.getInstance("child")).get().extracting(InstanceState::status).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(provider.getHistory("child")).hasSize(1);
    }

    @Test
    void messageToUnknownInstance_droppedByTheEngine_leavesNothingBehind() throws Exception {
        provider.sendOrchestrationMessage(event("ghost", "x", null));
        OrchestrationWorkItem item = lockOne();
        assertThat(item.instance()).isNull();
        provider.commitCheckpoints(List.of(new Checkpoint(item, List.of(), false, null, List.of(), List.of())));
        try (var c = PostgresTestDatabase.connect(); var ps = c.prepareStatement("select count(*) from taskhub.instances where hub = ?")) {
            ps.setString(1, provider.taskHubName());
            try (var rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void activity_leaseExpiry_redelivers_andLateCompletionIsRefused() {
        provider.createInstance(pending("a"), start("a"), Set.of());
        OrchestrationWorkItem item = lockOne();
        provider.commitCheckpoints(List.of(episode(item, RuntimeStatus.RUNNING, List.of(), List.of(activity("a", 0, "Slow")))));
        ActivityWorkItem first = provider.lockActivityWorkItems(1, Duration.ofMillis(300), Duration.ofSeconds(5)).get(0);
        assertThat(provider.lockActivityWorkItems(1, LEASE, NO_WAIT)).isEmpty();
        ActivityWorkItem second = provider.lockActivityWorkItems(1, LEASE, Duration.ofSeconds(5)).get(0);
        assertThat(second.request().messageId()).isEqualTo(first.request().messageId());
        assertThat(second.deliveryCount()).isEqualTo(2);

        List<CommitResult> results = provider.completeActivityWorkItems(List.of(
                new ActivityResult(first, taskCompleted("a", 0, "\"late\"")),
                new ActivityResult(second, taskCompleted("a", 0, "\"ok\""))));
        assertThat(results.get(0).isCommitted()).isFalse();
        assertThat(results.get(1).isCommitted()).isTrue();
        assertThatThrownBy(() -> provider.renewActivityWorkItem(second, LEASE)).isInstanceOf(LeaseLostException.class);
        OrchestrationWorkItem next = lockOne();
        assertThat(next.messages()).hasSize(1);
        assertThat(((HistoryEvent.TaskCompleted) next.messages().get(0).event()).result()).isEqualTo("\"ok\"");
    }

    @Test
    void notification_wakesAWaitingLockFromAnotherProvider() throws Exception {
        PostgresStorageProvider waiter = PostgresTestDatabase.provider(provider.taskHubName(),
                Map.of(PostgresSettings.POLL_INTERVAL, "PT30S"));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!waiter.isListening() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(waiter.isListening()).isTrue();
            // let the waiter reach its long wait first
            assertThat(waiter.lockActivityWorkItems(1, LEASE, Duration.ofMillis(300))).isEmpty();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                CountDownLatch waiting = new CountDownLatch(1);
                Future<Long> woke = pool.submit(() -> {
                    waiting.countDown();
                    waiter.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(20));
                    return System.nanoTime();
                });
                waiting.await();
                Thread.sleep(1500); // well past the initial back-off steps
                long sent = System.nanoTime();
                provider.createInstance(pending("wake"), start("wake"), Set.of());
                long latency = woke.get(10, TimeUnit.SECONDS) - sent;
                // the fallback poll is 30 s here, so anything near it means the NOTIFY did not arrive; generous for loaded CI machines
                assertThat(Duration.ofNanos(latency)).isLessThan(Duration.ofSeconds(3));
            } finally {
                pool.shutdownNow();
            }
        } finally {
            waiter.close();
        }
    }

    @Test
    void enqueue_notifiesOnlyWhileAWaiterIsAdvertised() throws Exception {
        String channel = NotificationListener.channel(provider.schemaName(), provider.taskHubName(), "o");
        try (var listen = PostgresTestDatabase.connect(); var st = listen.createStatement()) {
            st.execute("LISTEN \"" + channel + "\"");
            org.postgresql.PGConnection pg = listen.unwrap(org.postgresql.PGConnection.class);
            provider.sendOrchestrationMessage(event("n1", "x", null));
            org.postgresql.PGNotification[] none = pg.getNotifications(300);
            assertThat(none == null ? 0 : none.length).as("no waiter advertised: no NOTIFY").isZero();

            try (var c = PostgresTestDatabase.connect(); var ps = c.prepareStatement(
                    "INSERT INTO taskhub.waiters (hub, kind, waiter_id, waiting_until) VALUES (?, 'o', 'test', now() + interval '1 minute')")) {
                ps.setString(1, provider.taskHubName());
                ps.executeUpdate();
            }
            provider.sendOrchestrationMessage(event("n2", "x", null));
            org.postgresql.PGNotification[] some = pg.getNotifications(5_000);
            assertThat(some).isNotNull().isNotEmpty();
            assertThat(some[0].getName()).isEqualTo(channel);
        }
    }

    @Test
    void lockCall_returnsPromptlyWhenInterrupted() throws Exception {
        Thread t = new Thread(() -> provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(30)));
        long t0 = System.nanoTime();
        t.start();
        Thread.sleep(200);
        t.interrupt();
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void manyMessages_manyInstances_allDeliveredOnce() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            provider.createInstance(pending("m" + i), start("m" + i), Set.of());
            ids.add("m" + i);
        }
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        while (true) {
            List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(16, LEASE, Duration.ofMillis(100));
            if (items.isEmpty()) {
                break;
            }
            List<Checkpoint> cps = new ArrayList<>();
            for (OrchestrationWorkItem item : items) {
                seen.add(item.instanceId());
                cps.add(episode(item, RuntimeStatus.COMPLETED, List.of(), List.of()));
            }
            assertThat(provider.commitCheckpoints(cps)).allMatch(CommitResult::isCommitted);
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
    }
}

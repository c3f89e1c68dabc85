package dev.taskhub.conformance;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.CommittedBatch;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The invariants of the provider SPI that every provider keeps (see {@code docs/provider-authors.md} and the javadoc of
 * {@code dev.taskhub.spi}): locking, leases, ordering, duplicates, dead-lettering.
 */
public abstract class SpiConformanceTests extends ConformanceTestBase {
    private static final Map<String, AtomicInteger> ACTIVE = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> OVERLAPS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    private static AtomicInteger of(Map<String, AtomicInteger> map, String key) {
        return map.computeIfAbsent(key, k -> new AtomicInteger());
    }

    @Test
    void twoWorkers_neverRunTheSameInstanceConcurrently() {
        String run = UUID.randomUUID().toString();
        WorkerOptions options = testOptions().orchestrationConcurrency(4).orchestrationBatchSize(4).build();
        java.util.function.Consumer<dev.taskhub.worker.TaskHubWorker.Builder> registrations = w -> w
                .addOrchestrator("Busy", ctx -> {
                    String key = run + ctx.getInstanceId();
                    for (int i = 0; i < 5; i++) {
                        if (of(ACTIVE, key).incrementAndGet() > 1) {
                            of(OVERLAPS, run).incrementAndGet();
                        }
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        of(ACTIVE, key).decrementAndGet();
                        ctx.callActivity("Step", i).await();
                    }
                    return null;
                })
                .addActivity("Step", ctx -> ctx.getInput(Integer.class));
        startWorker(provider, options, registrations);
        startWorker(secondProvider(), options, registrations);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(client.scheduleNewOrchestrationInstance("Busy"));
        }
        ids.forEach(id -> awaitStatus(id, RuntimeStatus.COMPLETED));
        assertThat(of(OVERLAPS, run).get()).as("episodes of one instance that overlapped").isZero();
    }

    @Test
    void lock_isExclusive_acrossProviderObjects() throws Exception {
        for (int i = 0; i < 20; i++) {
            client.scheduleNewOrchestrationInstance("Any", i);
        }
        StorageProvider second = secondProvider();
        Set<String> a = Collections.synchronizedSet(new HashSet<>());
        Set<String> b = Collections.synchronizedSet(new HashSet<>());
        CountDownLatch go = new CountDownLatch(1);
        Thread t1 = new Thread(() -> lockAll(provider, a, go));
        Thread t2 = new Thread(() -> lockAll(second, b, go));
        t1.start();
        t2.start();
        go.countDown();
        t1.join();
        t2.join();
        assertThat(a.size() + b.size()).isEqualTo(20);
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        assertThat(both).as("instances locked by both").isEmpty();
    }

    private static void lockAll(StorageProvider on, Set<String> into, CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            return;
        }
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            for (OrchestrationWorkItem item : on.lockOrchestrationWorkItems(3, Duration.ofSeconds(30), Duration.ofMillis(100))) {
                into.add(item.instanceId());
            }
        }
    }

    @Test
    void deadWorker_instanceIsTakenOverAfterLeaseExpiry_andTheLateCommitIsRefused() {
        String id = client.scheduleNewOrchestrationInstance("Hello", "World");
        // A "worker" locks the instance and dies mid-episode: it never commits or abandons.
        OrchestrationWorkItem stale = lockInstance(provider, id, Duration.ofSeconds(1));
        startWorker(w -> w
                .addOrchestrator("Hello", ctx -> ctx.callActivity("Greet", ctx.getInput(String.class), String.class).await())
                .addActivity("Greet", ctx -> "Hello " + ctx.getInput(String.class)));
        OrchestrationMetadata done = awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("Hello World");
        List<HistoryEvent> before = client.getHistory(id);

        Checkpoint late = new Checkpoint(stale, List.of(new HistoryEvent.OrchestratorStarted(-1, Instant.now())), false,
                stale.instance().withStatus(RuntimeStatus.FAILED, Instant.now()), List.of(), List.of());
        List<CommitResult> results = provider.commitCheckpoints(List.of(late));
        assertThat(results).hasSize(1);
        assertThat(results.get(0)).isInstanceOfSatisfying(CommitResult.Refused.class,
                r -> assertThat(r.cause()).isInstanceOf(LeaseLostException.class));
        assertThat(client.getHistory(id)).isEqualTo(before);
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
    }

    @Test
    void deadActivityWorker_activityIsRetriedAfterLeaseExpiry() {
        String run = UUID.randomUUID().toString();
        // First, only the orchestrator runs, so the activity message waits in the queue.
        startWorker(provider, testOptions().processActivities(false).build(),
                w -> w.addOrchestrator("CallOnce", ctx -> ctx.callActivity("Work", run, String.class).await()));
        String id = client.scheduleNewOrchestrationInstance("CallOnce");
        List<ActivityWorkItem> locked = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            locked.addAll(provider.lockActivityWorkItems(1, Duration.ofSeconds(1), Duration.ofMillis(200)));
            return !locked.isEmpty();
        });
        ActivityWorkItem dead = locked.get(0);
        assertThat(dead.deliveryCount()).isEqualTo(1);
        // The holder dies; a worker with the activity picks it up after the lease expires.
        startWorker(w -> w.addActivity("Work", ctx -> {
            of(RUNS, run).incrementAndGet();
            return "delivery " + ctx.getDeliveryCount();
        }));
        OrchestrationMetadata done = awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("delivery 2");
        // The dead holder's late result is refused, so the result is applied exactly once.
        TaskMessage lateResult = new TaskMessage(UUID.randomUUID().toString(), id, null,
                new HistoryEvent.TaskCompleted(-1, Instant.now(), dead.request().taskId(), "\"late\""), null);
        List<CommitResult> results = provider.completeActivityWorkItems(List.of(new ActivityResult(dead, lateResult)));
        assertThat(results.get(0).isCommitted()).isFalse();
        assertThat(client.getHistory(id).stream().filter(HistoryEvent.TaskCompleted.class::isInstance)).hasSize(1);
        assertThat(of(RUNS, run).get()).isEqualTo(1);
    }

    @Test
    void duplicateMessages_areAppliedOnce() {
        startWorker(w -> w
                .addOrchestrator("Dup", ctx -> {
                    String first = ctx.waitForExternalEvent("E", String.class).await();
                    String second = ctx.waitForExternalEvent("E", Duration.ofSeconds(2), String.class).await();
                    return first + "," + second;
                }));
        String id = client.scheduleNewOrchestrationInstance("Dup");
        client.waitForInstanceStart(id, WAIT);
        String messageId = UUID.randomUUID().toString();
        TaskMessage event = new TaskMessage(messageId, id, null, new HistoryEvent.EventRaised(-1, Instant.now(), "E", "\"one\"", messageId), null);
        provider.sendOrchestrationMessage(event);
        provider.sendOrchestrationMessage(event);
        client.raiseEvent(id, "E", "two");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("one,two");
        assertThat(client.getHistory(id).stream().filter(HistoryEvent.EventRaised.class::isInstance)).hasSize(2);
    }

    @Test
    void duplicateTaskCompletion_isAppliedOnce() {
        startWorker(w -> w
                .addOrchestrator("Twice", ctx -> {
                    String a = ctx.callActivity("Echo", "a", String.class).await();
                    ctx.waitForExternalEvent("Continue", Void.class).await();
                    return a;
                })
                .addActivity("Echo", ctx -> ctx.getInput(String.class)));
        String id = client.scheduleNewOrchestrationInstance("Twice");
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.TaskCompleted.class::isInstance));
        HistoryEvent.TaskCompleted done = client.getHistory(id).stream().filter(HistoryEvent.TaskCompleted.class::isInstance)
                .map(HistoryEvent.TaskCompleted.class::cast).findFirst().orElseThrow();
        provider.sendOrchestrationMessage(new TaskMessage(UUID.randomUUID().toString(), id, null,
                new HistoryEvent.TaskCompleted(-1, Instant.now(), done.taskScheduledId(), "\"duplicate\""), null));
        client.raiseEvent(id, "Continue", null);
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("a");
        assertThat(client.getHistory(id).stream().filter(HistoryEvent.TaskCompleted.class::isInstance)).hasSize(1);
    }

    @Test
    void crashBetweenSendingAndCommitting_neitherDuplicatesSentEventsNorRestartsAFinishedChild() {
        String run = UUID.randomUUID().toString();
        InterceptingProvider crashing = new InterceptingProvider(provider);
        startWorker(crashing, testOptions().lockLease(Duration.ofSeconds(30)).build(), w -> w
                .addOrchestrator("Sender", ctx -> {
                    ctx.sendEvent(ctx.getInstanceId() + "-sibling", "Ping", "hello");
                    return ctx.callSubOrchestrator("CountingChild", null, ctx.getInstanceId() + "-child", String.class, null).await();
                })
                .addOrchestrator("Sibling", ctx -> {
                    ctx.waitForExternalEvent("Ping", String.class).await();
                    return ctx.waitForExternalEvent("Done", String.class).await();
                })
                .addOrchestrator("CountingChild", ctx -> ctx.callActivity("CountRun", run, String.class).await())
                .addActivity("CountRun", ctx -> "run " + of(RUNS, ctx.getInput(String.class)).incrementAndGet()));
        String sender = uniqueId("sender");
        String sibling = sender + "-sibling";
        String child = sender + "-child";
        client.scheduleNewOrchestrationInstance("Sibling", null, dev.taskhub.client.NewOrchestrationOptions.withInstanceId(sibling));
        client.waitForInstanceStart(sibling, WAIT);
        String[] childExecution = new String[1];
        crashing.crashOnce(sender, checkpoint -> {
            // The sender's messages are out: let the child finish and the sibling receive the event, then fail the commit.
            await().atMost(WAIT).until(() -> client.getInstanceMetadata(child, false).map(OrchestrationMetadata::isCompleted).orElse(false));
            childExecution[0] = client.getInstanceMetadata(child, false).orElseThrow().executionId();
            await().atMost(WAIT).until(() -> pings(sibling) > 0);
        });
        client.scheduleNewOrchestrationInstance("Sender", null, dev.taskhub.client.NewOrchestrationOptions.withInstanceId(sender));
        assertThat(awaitStatus(sender, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("run 1");
        assertThat(crashing.crashed(sender)).as("the first commit of the sender crashed").isTrue();
        client.raiseEvent(sibling, "Done", "done");
        awaitStatus(sibling, RuntimeStatus.COMPLETED);
        assertThat(pings(sibling)).as("events the sibling received").isEqualTo(1);
        assertThat(of(RUNS, run).get()).as("runs of the child's activity").isEqualTo(1);
        OrchestrationMetadata childNow = client.getInstanceMetadata(child, false).orElseThrow();
        assertThat(childNow.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(childNow.executionId()).as("the child's execution").isEqualTo(childExecution[0]);
        assertThat(client.getHistory(child).stream().filter(HistoryEvent.ExecutionStarted.class::isInstance)).hasSize(1);
    }

    private long pings(String instanceId) {
        return client.getHistory(instanceId).stream()
                .filter(e -> e instanceof HistoryEvent.EventRaised r && r.name().equals("Ping")).count();
    }

    @Test
    void episodesLongerThanTheLease_keepTheirLock_andRunOnce() {
        String run = UUID.randomUUID().toString();
        startWorker(provider, testOptions().lockLease(Duration.ofSeconds(1)).build(), w -> w
                .addOrchestrator("Slow", ctx -> {
                    String key = run + ctx.getInstanceId();
                    if (!ctx.isReplaying()) {
                        // the first episode: 3 s of work under a 1 s lease (the decisions do not depend on it)
                        of(RUNS, key + "-first").incrementAndGet();
                        try {
                            Thread.sleep(3000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    String result = ctx.callActivity("Once", key, String.class).await();
                    if (!ctx.isReplaying()) {
                        of(RUNS, key + "-last").incrementAndGet();
                    }
                    return result;
                })
                .addActivity("Once", ctx -> {
                    of(RUNS, ctx.getInput(String.class) + "-activity").incrementAndGet();
                    return "done";
                }));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(client.scheduleNewOrchestrationInstance("Slow"));
        }
        for (String id : ids) {
            assertThat(awaitCompletion(id).failureDetails()).as("failure of %s", id).isEmpty();
            assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        }
        for (String id : ids) {
            String key = run + id;
            assertThat(of(RUNS, key + "-first").get()).as("runs of the first episode of %s", id).isEqualTo(1);
            assertThat(of(RUNS, key + "-last").get()).as("runs of the last episode of %s", id).isEqualTo(1);
            assertThat(of(RUNS, key + "-activity").get()).as("runs of the activity of %s", id).isEqualTo(1);
            List<HistoryEvent> history = client.getHistory(id);
            assertThat(history.stream().filter(HistoryEvent.ExecutionStarted.class::isInstance)).hasSize(1);
            assertThat(history.stream().filter(HistoryEvent.TaskScheduled.class::isInstance)).hasSize(1);
            assertThat(history.stream().filter(HistoryEvent.TaskCompleted.class::isInstance)).hasSize(1);
            assertThat(history.stream().filter(HistoryEvent.ExecutionCompleted.class::isInstance)).hasSize(1);
        }
    }

    @Test
    void futureMessage_isNotDeliveredBeforeItsVisibleTime() {
        String instanceId = uniqueId("future");
        Instant visibleAt = Instant.now().plusMillis(1200);
        provider.sendOrchestrationMessage(new TaskMessage(UUID.randomUUID().toString(), instanceId, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "Later", null, null), visibleAt));
        OrchestrationWorkItem item = lockInstance(provider, instanceId, Duration.ofSeconds(30));
        assertThat(Instant.now()).isAfterOrEqualTo(visibleAt);
        assertThat(item.messages()).hasSize(1);
    }

    @Test
    void messagesOfOneInstance_areDeliveredInEnqueueOrder() {
        String instanceId = uniqueId("order");
        for (int i = 0; i < 10; i++) {
            provider.sendOrchestrationMessage(new TaskMessage(UUID.randomUUID().toString(), instanceId, null,
                    new HistoryEvent.EventRaised(-1, Instant.now(), "N", Integer.toString(i), null), null));
        }
        List<String> seen = new ArrayList<>();
        OrchestrationWorkItem item = lockInstance(provider, instanceId, Duration.ofSeconds(30));
        item.messages().forEach(m -> seen.add(((HistoryEvent.EventRaised) m.event()).input()));
        // A provider may deliver them over several work items; keep taking until all are seen.
        provider.commitCheckpoints(List.of(new Checkpoint(item, List.of(), false, null, List.of(), List.of())));
        while (seen.size() < 10) {
            OrchestrationWorkItem next = lockInstance(provider, instanceId, Duration.ofSeconds(30));
            next.messages().forEach(m -> seen.add(((HistoryEvent.EventRaised) m.event()).input()));
            provider.commitCheckpoints(List.of(new Checkpoint(next, List.of(), false, null, List.of(), List.of())));
        }
        assertThat(seen).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    @Test
    void commitAndLock_hasTheBatchsWorkLockedOnce_nowOrByTheNextLock() {
        String a = uniqueId("chain-a");
        String b = uniqueId("chain-b");
        Duration lease = Duration.ofSeconds(30);
        provider.sendOrchestrationMessage(new TaskMessage(UUID.randomUUID().toString(), a, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "N", "\"to a\"", null), null));
        OrchestrationWorkItem itemA = lockInstance(provider, a, lease);
        TaskMessage toB = new TaskMessage(UUID.randomUUID().toString(), b, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "N", "\"from a\"", null), null);
        Checkpoint sendToB = new Checkpoint(itemA, List.of(), false, null, List.of(toB), List.of());

        CommittedBatch<OrchestrationWorkItem> out = provider.commitCheckpointsAndLock(List.of(sendToB), 10, lease);

        assertThat(out.results()).containsExactly(CommitResult.COMMITTED);
        // only b has work now: a store that locks with the commit returns b holding the event, otherwise a lock does
        assertThat(out.locked()).extracting(OrchestrationWorkItem::instanceId).hasSizeLessThanOrEqualTo(1).allMatch(b::equals);
        OrchestrationWorkItem itemB;
        if (out.locked().isEmpty()) {
            itemB = lockInstance(provider, b, lease);
        } else {
            itemB = out.locked().get(0);
            assertThat(provider.lockOrchestrationWorkItems(10, lease, Duration.ZERO)).as("b's lock is held").isEmpty();
            provider.renewOrchestrationWorkItem(itemB, lease);
        }
        assertThat(itemB.deliveryCount()).isEqualTo(1);
        assertThat(itemB.messages()).extracting(m -> ((HistoryEvent.EventRaised) m.event()).input()).containsExactly("\"from a\"");
        // a's lock ended with its commit: the same checkpoint again is refused and locks nothing held elsewhere
        CommittedBatch<OrchestrationWorkItem> again = provider.commitCheckpointsAndLock(List.of(sendToB), 10, lease);
        assertThat(again.results().get(0).isCommitted()).isFalse();
        assertThat(again.locked()).isEmpty();
        CommittedBatch<OrchestrationWorkItem> consumeB = provider.commitCheckpointsAndLock(
                List.of(new Checkpoint(itemB, List.of(), false, null, List.of(), List.of())), 0, lease);
        assertThat(consumeB.results()).containsExactly(CommitResult.COMMITTED);
        assertThat(consumeB.locked()).as("nothing asked for").isEmpty();
        assertThat(provider.lockOrchestrationWorkItems(10, lease, Duration.ZERO)).as("nothing left").isEmpty();
    }

    @Test
    void completeAndLock_handsTheFreedSlotToTheNextActivityOnce() {
        String id = uniqueId("chain-activity");
        Duration lease = Duration.ofSeconds(30);
        provider.sendOrchestrationMessage(new TaskMessage(UUID.randomUUID().toString(), id, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "N", null, null), null));
        OrchestrationWorkItem item = lockInstance(provider, id, lease);
        List<ActivityRequest> requests = List.of(
                new ActivityRequest(UUID.randomUUID().toString(), id, null, 0, "First", "1"),
                new ActivityRequest(UUID.randomUUID().toString(), id, null, 1, "Second", "2"));
        assertThat(provider.commitCheckpoints(List.of(new Checkpoint(item, List.of(), false, null, List.of(), requests))))
                .containsExactly(CommitResult.COMMITTED);
        List<ActivityWorkItem> first = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            first.addAll(provider.lockActivityWorkItems(1, lease, Duration.ofMillis(200)));
            return !first.isEmpty();
        });
        TaskMessage result = new TaskMessage(UUID.randomUUID().toString(), id, null,
                new HistoryEvent.TaskCompleted(-1, Instant.now(), first.get(0).request().taskId(), "\"done\""), null);

        CommittedBatch<ActivityWorkItem> out = provider.completeActivityWorkItemsAndLock(
                List.of(new ActivityResult(first.get(0), result)), 1, lease);

        assertThat(out.results()).containsExactly(CommitResult.COMMITTED);
        assertThat(out.locked()).hasSizeLessThanOrEqualTo(1);
        ActivityWorkItem second;
        if (out.locked().isEmpty()) {
            List<ActivityWorkItem> later = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                later.addAll(provider.lockActivityWorkItems(10, lease, Duration.ofMillis(200)));
                return !later.isEmpty();
            });
            assertThat(later).hasSize(1);
            second = later.get(0);
        } else {
            second = out.locked().get(0);
            assertThat(provider.lockActivityWorkItems(10, lease, Duration.ZERO)).as("its lock is held").isEmpty();
            provider.renewActivityWorkItem(second, lease);
        }
        assertThat(second.request().taskId()).isNotEqualTo(first.get(0).request().taskId());
        assertThat(second.deliveryCount()).isEqualTo(1);
        // the first activity's result is in the instance's queue exactly once
        OrchestrationWorkItem resultItem = lockInstance(provider, id, lease);
        assertThat(resultItem.messages()).extracting(TaskMessage::event).hasOnlyElementsOfType(HistoryEvent.TaskCompleted.class).hasSize(1);
        CommittedBatch<ActivityWorkItem> repeat = provider.completeActivityWorkItemsAndLock(
                List.of(new ActivityResult(first.get(0), result)), 1, lease);
        assertThat(repeat.results().get(0).isCommitted()).as("a completed activity's lock is gone").isFalse();
        assertThat(repeat.locked()).isEmpty();
    }

    @Test
    void abandonedWorkItem_comesBackWithAGrowingDeliveryCount() {
        String id = client.scheduleNewOrchestrationInstance("Whatever");
        OrchestrationWorkItem first = lockInstance(provider, id, Duration.ofSeconds(30));
        assertThat(provider.lockOrchestrationWorkItems(10, Duration.ofSeconds(30), Duration.ZERO))
                .extracting(OrchestrationWorkItem::instanceId).doesNotContain(id);
        provider.abandonOrchestrationWorkItem(first, Duration.ZERO);
        OrchestrationWorkItem second = lockInstance(provider, id, Duration.ofSeconds(30));
        assertThat(second.deliveryCount()).isEqualTo(first.deliveryCount() + 1);
        assertThat(second.lockToken()).isNotEqualTo(first.lockToken());
        assertThatThrownBy(() -> provider.renewOrchestrationWorkItem(first, Duration.ofSeconds(30))).isInstanceOf(LeaseLostException.class);
        assertThat(provider.renewOrchestrationWorkItem(second, Duration.ofSeconds(60))).isAfter(second.lockedUntil());
    }

    @Test
    void renewal_keepsTheLockPastItsFirstLease_withoutCountingADelivery() {
        String id = client.scheduleNewOrchestrationInstance("Renewed");
        OrchestrationWorkItem item = lockInstance(provider, id, Duration.ofSeconds(1));
        Instant firstExpiry = item.lockedUntil();
        Instant[] lastRenewal = {Instant.now()};
        while (Instant.now().isBefore(firstExpiry.plusSeconds(1))) {
            assertThat(provider.renewOrchestrationWorkItem(item, Duration.ofSeconds(1))).isAfter(Instant.now());
            lastRenewal[0] = Instant.now();
            await().atMost(WAIT).until(() -> Instant.now().isAfter(lastRenewal[0].plusMillis(300)));
        }
        provider.renewOrchestrationWorkItem(item, Duration.ofSeconds(30));
        assertThat(provider.lockOrchestrationWorkItems(10, Duration.ofSeconds(30), Duration.ZERO))
                .as("locked again past the first lease").extracting(OrchestrationWorkItem::instanceId).doesNotContain(id);
        provider.abandonOrchestrationWorkItem(item, Duration.ZERO);
        OrchestrationWorkItem next = lockInstance(provider, id, Duration.ofSeconds(30));
        assertThat(next.deliveryCount()).as("deliveries: renewals do not count").isEqualTo(item.deliveryCount() + 1);
    }

    @Test
    void poisonMessage_isDeadLetteredAndTheInstanceFailsWithAClearReason() {
        String id = client.scheduleNewOrchestrationInstance("Poison");
        // Simulate workers that crash on this instance: lock and abandon until past the maximum delivery count.
        for (int i = 0; i < 5; i++) {
            provider.abandonOrchestrationWorkItem(lockInstance(provider, id, Duration.ofSeconds(30)), Duration.ZERO);
        }
        startWorker(w -> w.addOrchestrator("Poison", ctx -> "should not run"));
        OrchestrationMetadata failed = awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().errorType()).isEqualTo("PoisonMessage");
        assertThat(failed.failureDetails().orElseThrow().message()).contains("delivered 6 times");
    }

    @Test
    void messageForUnknownOrFinishedInstance_isDroppedSafely() {
        startWorker(w -> w.addOrchestrator("Quick", ctx -> "done"));
        String finished = client.scheduleNewOrchestrationInstance("Quick");
        awaitStatus(finished, RuntimeStatus.COMPLETED);
        List<HistoryEvent> before = client.getHistory(finished);
        String unknown = uniqueId("ghost");
        provider.sendOrchestrationMessage(new TaskMessage(UUID.randomUUID().toString(), unknown, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "Hi", null, null), null));
        provider.sendOrchestrationMessage(new TaskMessage(UUID.randomUUID().toString(), finished, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "Hi", null, null), null));
        String marker = client.scheduleNewOrchestrationInstance("Quick");
        awaitStatus(marker, RuntimeStatus.COMPLETED);
        await().atMost(WAIT).until(() -> {
            List<OrchestrationWorkItem> pending = provider.lockOrchestrationWorkItems(10, Duration.ofSeconds(30), Duration.ZERO);
            pending.forEach(item -> provider.abandonOrchestrationWorkItem(item, Duration.ZERO));
            return pending.isEmpty();
        });
        assertThat(client.getInstanceMetadata(unknown, false)).isEmpty();
        assertThat(client.getHistory(finished)).isEqualTo(before);
    }

    @Test
    void getHistories_returnsWhatGetHistoryReturns_forEveryInstanceAsked() {
        startWorker(w -> w.addOrchestrator("Steps", ctx -> {
            int n = ctx.getInput(Integer.class);
            for (int i = 0; i < n; i++) {
                ctx.callActivity("Echo", i, Integer.class).await();
            }
            return n;
        }).addActivity("Echo", ctx -> ctx.getInput(Integer.class)));
        List<String> ids = new ArrayList<>();
        for (int steps : new int[] {0, 1, 3}) {
            String id = client.scheduleNewOrchestrationInstance("Steps", steps);
            awaitStatus(id, RuntimeStatus.COMPLETED);
            ids.add(id);
        }
        String neverRun = client.scheduleNewOrchestrationInstance("Steps", 1,
                NewOrchestrationOptions.defaults().withStartAt(Instant.now().plus(Duration.ofHours(1))));
        String unknown = uniqueId("unknown");
        List<String> asked = new ArrayList<>(ids);
        asked.add(neverRun);
        asked.add(unknown);

        Map<String, List<HistoryEvent>> histories = provider.getHistories(asked);

        assertThat(histories.keySet()).isSubsetOf(asked);
        for (String id : asked) {
            assertThat(histories.getOrDefault(id, List.of())).as("history of %s", id).isEqualTo(provider.getHistory(id));
        }
        assertThat(histories.get(ids.get(2))).hasSizeGreaterThan(histories.get(ids.get(1)).size());
        assertThat(provider.getHistories(List.of())).isEmpty();
    }

    @Test
    void aWorkerWithoutCachedHistories_resumesABatchOfWaitingInstances() {
        Orchestrator<Object> waits = ctx -> {
            String first = ctx.callActivity("Upper", ctx.getInput(String.class), String.class).await();
            return first + ":" + ctx.waitForExternalEvent("Go", String.class).await();
        };
        startWorker(w -> w.addOrchestrator("Waits", waits).addActivity("Upper", ctx -> ctx.getInput(String.class).toUpperCase()));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(client.scheduleNewOrchestrationInstance("Waits", "i" + i));
        }
        for (String id : ids) {
            await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.TaskCompleted.class::isInstance));
        }
        closeWorkers();
        for (String id : ids) {
            client.raiseEvent(id, "Go", "go-" + id);
        }
        // A new worker (an empty history cache) locks the instances together and reads their histories for the batch.
        startWorker(w -> w.addOrchestrator("Waits", waits).addActivity("Upper", ctx -> ctx.getInput(String.class).toUpperCase()));
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("I" + i + ":go-" + id);
            assertThat(client.getHistory(id).stream().filter(HistoryEvent.TaskCompleted.class::isInstance)).hasSize(1);
        }
    }

    @Test
    void checkpoint_isAllOrNothing_whenTheHistoryVersionIsStale() {
        String id = client.scheduleNewOrchestrationInstance("Versioned");
        OrchestrationWorkItem item = lockInstance(provider, id, Duration.ofSeconds(30));
        OrchestrationWorkItem staleVersion = new OrchestrationWorkItem(item.instanceId(), item.lockToken(), item.lockedUntil(),
                item.instance(), item.messages(), item.historyVersion() + 7, item.deliveryCount());
        String other = uniqueId("other");
        Checkpoint checkpoint = new Checkpoint(staleVersion,
                List.of(new HistoryEvent.OrchestratorStarted(-1, Instant.now())), false,
                item.instance().withStatus(RuntimeStatus.RUNNING, Instant.now()),
                List.of(new TaskMessage(UUID.randomUUID().toString(), other, null,
                        new HistoryEvent.EventRaised(-1, Instant.now(), "X", null, null), null)),
                List.of());
        assertThat(provider.commitCheckpoints(List.of(checkpoint)).get(0).isCommitted()).isFalse();
        assertThat(client.getHistory(id)).isEmpty();
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(provider.lockOrchestrationWorkItems(10, Duration.ofSeconds(30), Duration.ofMillis(300)))
                .extracting(OrchestrationWorkItem::instanceId).doesNotContain(other);
        // The right version commits, and the batch reports each element on its own.
        Checkpoint good = new Checkpoint(item, List.of(new HistoryEvent.OrchestratorStarted(-1, Instant.now())), false,
                item.instance().withStatus(RuntimeStatus.RUNNING, Instant.now()), List.of(), List.of());
        assertThat(provider.commitCheckpoints(List.of(good)).get(0).isCommitted()).isTrue();
        assertThat(client.getHistory(id)).hasSize(1);
    }

    @Test
    void gracefulShutdown_releasesRunningWorkToAnotherWorker() throws Exception {
        String run = UUID.randomUUID().toString();
        CountDownLatch started = new CountDownLatch(1);
        java.util.function.Consumer<dev.taskhub.worker.TaskHubWorker.Builder> slowActivity = w -> w
                .addOrchestrator("Slow", ctx -> ctx.callActivity("Sleep", null, String.class).await())
                .addActivity("Sleep", ctx -> {
                    if (of(RUNS, run).incrementAndGet() == 1) {
                        started.countDown();
                        Thread.sleep(60_000);   // interrupted by the shutdown
                    }
                    return "finished on delivery " + ctx.getDeliveryCount();
                });
        WorkerOptions options = testOptions().shutdownTimeout(Duration.ofMillis(200)).build();
        dev.taskhub.worker.TaskHubWorker first = startWorker(provider, options, slowActivity);
        String id = client.scheduleNewOrchestrationInstance("Slow");
        assertThat(started.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long before = System.nanoTime();
        first.close();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(10));
        // The abandoned activity is picked up at once by another worker, not after a lease expiry.
        startWorker(secondProvider(), options, slowActivity);
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("finished on delivery 2");
    }

    @Test
    void durableState_survivesANewProviderObject() {
        requires(Capability.DURABLE, "lets state outlive the provider object");
        String id = client.scheduleNewOrchestrationInstance("Later", "input");
        StorageProvider reopened = secondProvider();
        assertThat(reopened.getInstance(id)).get().extracting(s -> s.input()).isEqualTo("\"input\"");
    }
}

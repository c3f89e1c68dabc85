package dev.taskhub.provider.azurestorage;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstancePage;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.taskhub.provider.azurestorage.SpiFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Provider-level behaviour through the SPI, against Azurite. Each test gets its own task hub. */
class AzureStorageProviderTest {
    private AzureStorageProvider provider;
    private final List<AzureStorageProvider> extra = new ArrayList<>();

    @BeforeEach
    void setUp() {
        provider = AzuriteFixture.provider(AzuriteFixture.hubName("AzSpi"));
        provider.createTaskHub();
    }

    @AfterEach
    void tearDown() {
        for (AzureStorageProvider p : extra) {
            p.deleteTaskHub();
            p.close();
        }
        if (provider != null) {
            provider.deleteTaskHub();
            provider.close();
        }
    }

    @Test
    void createLockCommit_writesHistoryAndState() {
        String id = newId();
        create(provider, id, "\"in\"");
        assertThat(provider.getInstance(id)).get().extracting(InstanceState::status).isEqualTo(RuntimeStatus.PENDING);

        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        assertThat(item).isNotNull();
        assertThat(item.instanceId()).isEqualTo(id);
        assertThat(item.historyVersion()).isZero();
        assertThat(item.deliveryCount()).isEqualTo(1);
        assertThat(item.instance().input()).isEqualTo("\"in\"");
        assertThat(item.messages()).singleElement().extracting(TaskMessage::event).isInstanceOf(HistoryEvent.ExecutionStarted.class);

        assertThat(provider.commitCheckpoints(List.of(complete(item, "\"out\"")))).containsExactly(CommitResult.COMMITTED);

        assertThat(provider.getInstance(id)).get().satisfies(s -> {
            assertThat(s.status()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(s.output()).isEqualTo("\"out\"");
        });
        assertThat(provider.getHistory(id)).extracting(HistoryEvent::eventType)
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "ExecutionCompleted");
        // the message was consumed: nothing left to lock
        assertThat(provider.lockOrchestrationWorkItems(10, Duration.ofSeconds(30), Duration.ofMillis(300))).isEmpty();
        assertThat(provider.requestCounts()).containsKeys("queue.send", "queue.receive", "table.batch");
    }

    @Test
    void secondEpisode_seesNewVersionAndAppends() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem first = lockOne(provider, Duration.ofSeconds(10));
        assertThat(provider.commitCheckpoints(List.of(running(first, List.of(), List.of())))).containsExactly(CommitResult.COMMITTED);
        provider.sendOrchestrationMessage(event(id, "go", "1"));
        OrchestrationWorkItem second = lockOne(provider, Duration.ofSeconds(10));
        assertThat(second.historyVersion()).isEqualTo(1);
        assertThat(second.instance().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(provider.commitCheckpoints(List.of(complete(second, "2")))).containsExactly(CommitResult.COMMITTED);
        assertThat(provider.getHistory(id)).extracting(HistoryEvent::eventType).containsExactly(
                "OrchestratorStarted", "ExecutionStarted", "OrchestratorStarted", "EventRaised", "ExecutionCompleted");
    }

    @Test
    void staleCommit_afterLeaseExpiry_isRefusedAndChangesNothing() throws Exception {
        String id = newId();
        create(provider, id, null);
        List<OrchestrationWorkItem> first = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (first.isEmpty() && System.nanoTime() < deadline) {
            first.addAll(provider.lockOrchestrationWorkItems(1, Duration.ofMillis(500), Duration.ofMillis(500)));
        }
        assertThat(first).hasSize(1);
        // while the lock is live, the instance is not handed out again
        assertThat(provider.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ofMillis(200))).isEmpty();
        Thread.sleep(700);
        OrchestrationWorkItem second = lockOne(provider, Duration.ofSeconds(5));
        assertThat(second).isNotNull();
        assertThat(second.lockToken()).isNotEqualTo(first.get(0).lockToken());
        assertThat(second.deliveryCount()).isGreaterThanOrEqualTo(2);

        ActivityRequest activity = new ActivityRequest(newId(), id, "e", 0, "Act", null);
        List<CommitResult> stale = provider.commitCheckpoints(List.of(running(first.get(0), List.of(activity), List.of())));
        assertThat(stale).singleElement().isInstanceOfSatisfying(CommitResult.Refused.class,
                r -> assertThat(r.cause()).isInstanceOf(LeaseLostException.class));
        assertThat(provider.getHistory(id)).isEmpty();
        assertThat(provider.lockActivityWorkItems(1, Duration.ofSeconds(5), Duration.ofMillis(300))).isEmpty();

        assertThat(provider.commitCheckpoints(List.of(complete(second, "1")))).containsExactly(CommitResult.COMMITTED);
        // committing the same work item twice is refused too
        assertThat(provider.commitCheckpoints(List.of(complete(second, "1")))).singleElement().isInstanceOf(CommitResult.Refused.class);
    }

    @Test
    void historyWrittenByAnotherWriter_refusesTheCommitThroughTheSentinelETag() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        // another writer (e.g. a worker that took the partition over) bumps the history behind our back
        HistoryRepository history = new HistoryRepository(tableClient(provider.names().historyTable()), null);
        history.append(id, history.readSentinel(id), List.of(new HistoryEvent.OrchestratorStarted(-1, Instant.now())), false, List.of(), null,
                new ArrayList<>());
        List<CommitResult> result = provider.commitCheckpoints(List.of(complete(item, "1")));
        assertThat(result).singleElement().isInstanceOfSatisfying(CommitResult.Refused.class,
                r -> assertThat(r.cause()).isInstanceOf(LeaseLostException.class).hasMessageContaining("changed by another worker"));
        assertThat(provider.getHistory(id)).hasSize(1);
    }

    @Test
    void activity_lockCompleteDeliversResultOnce() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        ActivityRequest request = new ActivityRequest(newId(), id, "exec-" + id, 0, "Act", "\"x\"");
        assertThat(provider.commitCheckpoints(List.of(running(item, List.of(request), List.of())))).containsExactly(CommitResult.COMMITTED);

        List<ActivityWorkItem> activities = provider.lockActivityWorkItems(5, Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertThat(activities).singleElement().satisfies(a -> {
            assertThat(a.request()).isEqualTo(request);
            assertThat(a.deliveryCount()).isEqualTo(1);
        });
        ActivityWorkItem activity = activities.get(0);
        assertThat(provider.renewActivityWorkItem(activity, Duration.ofSeconds(30))).isAfter(Instant.now());
        TaskMessage response = new TaskMessage(newId(), id, "exec-" + id, new HistoryEvent.TaskCompleted(-1, Instant.now(), 0, "\"done\""), null);
        assertThat(provider.completeActivityWorkItems(List.of(new ActivityResult(activity, response)))).containsExactly(CommitResult.COMMITTED);
        assertThat(provider.completeActivityWorkItems(List.of(new ActivityResult(activity, response))))
                .singleElement().isInstanceOf(CommitResult.Refused.class);
        assertThat(provider.lockActivityWorkItems(5, Duration.ofSeconds(30), Duration.ofMillis(300))).isEmpty();

        OrchestrationWorkItem next = lockOne(provider, Duration.ofSeconds(10));
        assertThat(next.messages()).singleElement().extracting(TaskMessage::event).isInstanceOf(HistoryEvent.TaskCompleted.class);
    }

    @Test
    void activityAbandon_redeliversWithHigherDeliveryCount() {
        String id = newId();
        provider.commitCheckpoints(List.of()); // no-op batch
        create(provider, id, null);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(running(item, List.of(new ActivityRequest(newId(), id, "e", 0, "Act", null)), List.of())));
        ActivityWorkItem first = provider.lockActivityWorkItems(1, Duration.ofSeconds(30), Duration.ofSeconds(5)).get(0);
        provider.abandonActivityWorkItem(first, Duration.ZERO);
        List<ActivityWorkItem> again = provider.lockActivityWorkItems(1, Duration.ofSeconds(30), Duration.ofSeconds(5));
        assertThat(again).singleElement().satisfies(a -> assertThat(a.deliveryCount()).isEqualTo(2));
    }

    @Test
    void duplicateMessage_alreadyApplied_isNotRedelivered() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem first = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(running(first, List.of(), List.of())));
        TaskMessage raised = event(id, "e", "1");
        provider.sendOrchestrationMessage(raised);
        OrchestrationWorkItem second = lockOne(provider, Duration.ofSeconds(10));
        assertThat(provider.commitCheckpoints(List.of(running(second, List.of(), List.of())))).containsExactly(CommitResult.COMMITTED);
        // the same message arrives again (a sender replayed its checkpoint after a crash)
        provider.sendOrchestrationMessage(raised);
        provider.sendOrchestrationMessage(raised);
        assertThat(provider.lockOrchestrationWorkItems(5, Duration.ofSeconds(30), Duration.ofSeconds(1))).isEmpty();
        assertThat(provider.getHistory(id)).filteredOn(e -> e instanceof HistoryEvent.EventRaised).hasSize(1);
    }

    @Test
    void sameMessageTwiceInOneRound_isDeliveredOnce() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem first = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(running(first, List.of(), List.of())));
        TaskMessage raised = event(id, "e", "1");
        provider.sendOrchestrationMessage(raised);
        provider.sendOrchestrationMessage(raised);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        assertThat(item.messages()).hasSize(1);
    }

    @Test
    void timer_isNeverDeliveredEarly() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem first = lockOne(provider, Duration.ofSeconds(10));
        Instant fireAt = Instant.now().plusMillis(2500);
        TaskMessage timer = new TaskMessage(newId(), id, null, new HistoryEvent.TimerFired(-1, fireAt, 0, fireAt), fireAt);
        assertThat(provider.commitCheckpoints(List.of(running(first, List.of(), List.of(timer))))).containsExactly(CommitResult.COMMITTED);
        OrchestrationWorkItem fired = lockOne(provider, Duration.ofSeconds(10));
        Instant lockedAt = Instant.now();
        assertThat(fired).isNotNull();
        assertThat(lockedAt).isAfterOrEqualTo(fireAt);
        assertThat(fired.messages()).singleElement().extracting(TaskMessage::event).isInstanceOf(HistoryEvent.TimerFired.class);
    }

    @Test
    void timerBeyondQueueLimit_staysHiddenAndIsReDelayed() {
        String id = newId();
        Instant far = Instant.now().plus(Duration.ofDays(30));
        TaskMessage timer = new TaskMessage(newId(), id, null, new HistoryEvent.TimerFired(-1, far, 0, far), far);
        provider.sendOrchestrationMessage(timer);
        // the queue caps the delay at ~7 days; simulate the cap expiring by sending the same envelope visible now
        Envelope early = new Envelope("o", timer.messageId(), id, null, timer.event(), far, Envelope.nextSeq(), null, null, null, null);
        provider.partitionManager().start();
        com.azure.storage.queue.QueueClient q = new com.azure.storage.queue.QueueServiceClientBuilder()
                .connectionString(AzureConnection.parse(AzuriteFixture.connectionString()).normalized())
                .messageEncoding(com.azure.storage.queue.QueueMessageEncoding.BASE64).buildClient()
                .getQueueClient(provider.names().controlQueues().get(provider.partitionOf(id)));
        q.sendMessage(early.toJson());
        assertThat(provider.lockOrchestrationWorkItems(5, Duration.ofSeconds(30), Duration.ofSeconds(1))).isEmpty();
        // both copies are invisible now (re-delayed by ~7 days)
        assertThat(q.getProperties().getApproximateMessagesCount()).isEqualTo(2);
        assertThat(q.peekMessages(5, null, null).stream().count()).isZero();
    }

    @Test
    void abandon_makesMessagesAvailableAgain() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        provider.abandonOrchestrationWorkItem(item, Duration.ZERO);
        OrchestrationWorkItem again = lockOne(provider, Duration.ofSeconds(10));
        assertThat(again).isNotNull();
        assertThat(again.deliveryCount()).isEqualTo(2);
        assertThat(provider.renewOrchestrationWorkItem(again, Duration.ofSeconds(60))).isAfter(Instant.now().plusSeconds(50));
        assertThatThrownBy(() -> provider.renewOrchestrationWorkItem(item, Duration.ofSeconds(60))).isInstanceOf(LeaseLostException.class);
        assertThat(provider.commitCheckpoints(List.of(complete(again, "1")))).containsExactly(CommitResult.COMMITTED);
    }

    @Test
    void abandonWithBackOff_keepsTheMessagesAheadOfLaterOnes() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem first = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(running(first, List.of(), List.of())));
        provider.sendOrchestrationMessage(event(id, "e", "1"));
        OrchestrationWorkItem one = lockOne(provider, Duration.ofSeconds(10));
        provider.sendOrchestrationMessage(event(id, "e", "2"));
        // a round while the instance is locked buffers the later message
        assertThat(provider.lockOrchestrationWorkItems(5, Duration.ofSeconds(30), Duration.ofMillis(1500))).isEmpty();
        provider.abandonOrchestrationWorkItem(one, Duration.ofSeconds(2));
        OrchestrationWorkItem again = lockOne(provider, Duration.ofSeconds(10));
        assertThat(again.messages()).as("the abandoned message is not overtaken by the later one")
                .extracting(m -> ((HistoryEvent.EventRaised) m.event()).input()).containsExactly("1", "2");
        assertThat(again.deliveryCount()).isEqualTo(2);
    }

    @Test
    void createInstance_respectsIdReusePolicy() {
        String id = newId();
        create(provider, id, "1");
        assertThatThrownBy(() -> create(provider, id, "2")).isInstanceOf(InstanceAlreadyExistsException.class).hasMessageContaining(id);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(complete(item, "1")));
        // a pending timer of the old execution
        Instant soon = Instant.now();
        provider.sendOrchestrationMessage(new TaskMessage(newId(), id, "exec-" + id, new HistoryEvent.TimerFired(-1, soon, 0, soon), null));
        InstanceState again = InstanceState.builder().instanceId(id).name("Orch").executionId("exec2")
                .status(RuntimeStatus.PENDING).input("3").createdAt(Instant.now()).lastUpdatedAt(Instant.now()).build();
        provider.createInstance(again, start(again), Set.of(RuntimeStatus.COMPLETED));
        assertThat(provider.getInstance(id)).get().satisfies(s -> {
            assertThat(s.status()).isEqualTo(RuntimeStatus.PENDING);
            assertThat(s.input()).isEqualTo("3");
        });
        assertThat(provider.getHistory(id)).isEmpty();
        OrchestrationWorkItem fresh = lockOne(provider, Duration.ofSeconds(10));
        assertThat(fresh.historyVersion()).isGreaterThan(1); // never reused, so cached histories stay valid
        assertThat(fresh.messages()).singleElement().extracting(TaskMessage::event).isInstanceOf(HistoryEvent.ExecutionStarted.class);
    }

    @Test
    void largePayloads_roundTripThroughBlobs() {
        String id = newId();
        String big = "\"" + "x".repeat(200_000) + "\"";
        create(provider, id, big);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        assertThat(((HistoryEvent.ExecutionStarted) item.messages().get(0).event()).input()).isEqualTo(big);
        assertThat(item.instance().input()).isEqualTo(big);
        ActivityRequest request = new ActivityRequest(newId(), id, "e", 0, "Act", big);
        provider.commitCheckpoints(List.of(running(item, List.of(request), List.of())));
        ActivityWorkItem activity = provider.lockActivityWorkItems(1, Duration.ofSeconds(30), Duration.ofSeconds(5)).get(0);
        assertThat(activity.request().input()).isEqualTo(big);
        TaskMessage response = new TaskMessage(newId(), id, null, new HistoryEvent.TaskCompleted(-1, Instant.now(), 0, big), null);
        provider.completeActivityWorkItems(List.of(new ActivityResult(activity, response)));
        OrchestrationWorkItem next = lockOne(provider, Duration.ofSeconds(10));
        assertThat(((HistoryEvent.TaskCompleted) next.messages().get(0).event()).result()).isEqualTo(big);
        assertThat(provider.commitCheckpoints(List.of(complete(next, big)))).containsExactly(CommitResult.COMMITTED);
        assertThat(provider.getInstance(id).orElseThrow().output()).isEqualTo(big);
        List<HistoryEvent> history = provider.getHistory(id);
        assertThat(history).filteredOn(e -> e instanceof HistoryEvent.ExecutionStarted)
                .singleElement().extracting(e -> ((HistoryEvent.ExecutionStarted) e).input()).isEqualTo(big);
        assertThat(blobs(provider, id)).isNotEmpty();

        assertThat(provider.purgeInstance(id)).isTrue();
        assertThat(blobs(provider, id)).isEmpty();
        assertThat(provider.getInstance(id)).isEmpty();
        assertThat(provider.getHistory(id)).isEmpty();
    }

    @Test
    void largeStateFields_keepTheirBlobWhileUnchangedAndReplacedBlobsAreDeleted() {
        String id = newId();
        String input = "\"" + "i".repeat(40_000) + "\"";
        create(provider, id, input);
        List<String> afterCreate = blobs(provider, id);
        assertThat(afterCreate).singleElement().asString().contains("/state/Input/");
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        for (int round = 1; round <= 3; round++) {
            Checkpoint cp = running(item, List.of(), List.of());
            InstanceState s = cp.state();
            String status = "\"" + String.valueOf(round).repeat(40_000) + "\"";
            InstanceState withStatus = s.toBuilder().customStatus(status).failureDetails(null).scheduledStartAt(null)
                    .build();
            assertThat(provider.commitCheckpoints(List.of(new Checkpoint(item, cp.newEvents(), false, withStatus, List.of(), List.of()))))
                    .containsExactly(CommitResult.COMMITTED);
            assertThat(provider.getInstance(id).orElseThrow().customStatus()).isEqualTo(status);
            // the input keeps its blob from the start; only the current custom status has one
            List<String> stateBlobs = blobs(provider, id).stream().filter(b -> b.contains("/state/")).collect(Collectors.toList());
            assertThat(stateBlobs).hasSize(2).contains(afterCreate.get(0)).filteredOn(b -> b.contains("/state/CustomStatus/")).hasSize(1);
            provider.sendOrchestrationMessage(event(id, "e", String.valueOf(round)));
            item = lockOne(provider, Duration.ofSeconds(10));
            assertThat(item.instance().input()).isEqualTo(input);
        }
    }

    @Test
    void manyHistoryEvents_spanSeveralBatches() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        List<HistoryEvent> events = new ArrayList<>();
        item.messages().forEach(m -> events.add(m.event()));
        for (int i = 0; i < 250; i++) {
            events.add(new HistoryEvent.TaskScheduled(i, Instant.now(), "Act", "\"" + i + "\""));
        }
        Checkpoint cp = new Checkpoint(item, events, false, null, List.of(), List.of());
        assertThat(provider.commitCheckpoints(List.of(cp))).containsExactly(CommitResult.COMMITTED);
        assertThat(provider.getHistory(id)).hasSize(251).last().extracting(HistoryEvent::eventId).isEqualTo(249);
    }

    @Test
    void replaceHistory_dropsTheOldEvents() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(running(item, List.of(), List.of())));
        provider.sendOrchestrationMessage(event(id, "e", "1"));
        OrchestrationWorkItem second = lockOne(provider, Duration.ofSeconds(10));
        HistoryEvent restarted = new HistoryEvent.ExecutionStarted(-1, Instant.now(), "Orch", null, "\"new\"", "exec2", null, null);
        provider.commitCheckpoints(List.of(new Checkpoint(second, List.of(restarted), true, null, List.of(), List.of())));
        assertThat(provider.getHistory(id)).containsExactly(restarted);
    }

    @Test
    void query_pagesStablyWithFilters() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            String id = "page-" + i + "-" + newId().substring(0, 4);
            create(provider, id, null);
            ids.add(id);
        }
        create(provider, "other-1", null);
        Set<String> seen = new HashSet<>();
        InstanceQuery query = InstanceQuery.builder().instanceIdPrefix("page-").pageSize(5).build();
        int pages = 0;
        String token = null;
        do {
            InstancePage page = provider.queryInstances(query.withContinuationToken(token));
            assertThat(page.instances().size()).isLessThanOrEqualTo(5);
            for (InstanceState s : page.instances()) {
                assertThat(seen.add(s.instanceId())).as("seen once: %s", s.instanceId()).isTrue();
                assertThat(s.input()).isNull();
            }
            token = page.continuationToken();
            pages++;
        } while (token != null && pages < 20);
        assertThat(seen).isEqualTo(ids);

        InstancePage withPayload = provider.queryInstances(InstanceQuery.builder().instanceIdPrefix("other").fetchInputsAndOutputs(true).build());
        assertThat(withPayload.instances()).extracting(InstanceState::instanceId).containsExactly("other-1");
        assertThat(provider.queryInstances(InstanceQuery.builder().statuses(RuntimeStatus.RUNNING).build()).instances()).isEmpty();
        assertThat(provider.queryInstances(InstanceQuery.builder().statuses(RuntimeStatus.PENDING).pageSize(100).build()).instances()).hasSize(24);
        assertThat(provider.queryInstances(InstanceQuery.builder().createdFrom(Instant.now().plusSeconds(60)).build()).instances()).isEmpty();
        assertThat(provider.queryInstances(InstanceQuery.builder().createdTo(Instant.now().minusSeconds(600)).build()).instances()).isEmpty();

        InstancePage first = provider.queryInstances(InstanceQuery.builder().pageSize(2).build());
        String tampered = first.continuationToken().substring(1) + "x";
        assertThatThrownBy(() -> provider.queryInstances(InstanceQuery.builder().pageSize(2).continuationToken(tampered).build()))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void purgeByCriteria_removesOnlyMatchingTerminalInstances() {
        String done = newId();
        String running = newId();
        create(provider, done, "\"" + "y".repeat(100_000) + "\"");
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(complete(item, "1")));
        create(provider, running, null);
        assertThat(provider.purgeInstance(running)).isFalse();
        long purged = provider.purgeInstances(PurgeCriteria.builder().createdFrom(Instant.EPOCH).build());
        assertThat(purged).isEqualTo(1);
        assertThat(provider.getInstance(done)).isEmpty();
        assertThat(provider.getHistory(done)).isEmpty();
        assertThat(blobs(provider, done)).isEmpty();
        assertThat(provider.getInstance(running)).isPresent();
        assertThat(provider.purgeInstances(PurgeCriteria.builder().createdFrom(Instant.EPOCH).build())).isZero();
    }

    @Test
    void deleteTaskHub_keepsOtherHubs() {
        AzureStorageProvider other = AzuriteFixture.provider(AzuriteFixture.hubName("AzOther"));
        extra.add(other);
        other.createTaskHub();
        String id = newId();
        create(other, id, "1");
        create(provider, newId(), "1");
        provider.deleteTaskHub();
        assertThat(other.getInstance(id)).isPresent();
        assertThat(lockOne(other, Duration.ofSeconds(10))).isNotNull();
        List<String> tables = new ArrayList<>();
        new com.azure.data.tables.TableServiceClientBuilder().connectionString(AzureConnection.parse(AzuriteFixture.connectionString()).normalized())
                .buildClient().listTables().forEach(t -> tables.add(t.getName()));
        assertThat(tables).doesNotContain(provider.names().instancesTable(), provider.names().historyTable())
                .contains(other.names().instancesTable());
        provider.deleteTaskHub(); // idempotent
        provider.close();
        provider = null;
    }

    @Test
    void crashBetweenHistoryAndInstanceRow_isRepairedOnTheNextLock() {
        String id = newId();
        create(provider, id, null);
        OrchestrationWorkItem item = lockOne(provider, Duration.ofSeconds(10));
        provider.commitCheckpoints(List.of(running(item, List.of(), List.of())));
        provider.sendOrchestrationMessage(event(id, "e", "1"));
        OrchestrationWorkItem second = lockOne(provider, Duration.ofSeconds(10));
        // simulate steps (1)+(2) of a commit that crashed before (3) and (4): history and sentinel state, no row update
        Checkpoint cp = complete(second, "\"final\"");
        HistoryRepository history = new HistoryRepository(tableClient(provider.names().historyTable()), null);
        history.append(id, history.readSentinel(id), cp.newEvents(), false,
                second.messages().stream().map(TaskMessage::messageId).collect(Collectors.toList()),
                StateCodec.encode(cp.state(), null, null, null, new ArrayList<>()), new ArrayList<>());
        provider.abandonOrchestrationWorkItem(second, Duration.ZERO);
        assertThat(provider.getInstance(id).orElseThrow().status()).isEqualTo(RuntimeStatus.RUNNING);
        // the redelivered message is recognised as applied, and the instance row is finished from the sentinel
        assertThat(provider.lockOrchestrationWorkItems(5, Duration.ofSeconds(30), Duration.ofSeconds(2))).isEmpty();
        assertThat(provider.getInstance(id).orElseThrow()).satisfies(s -> {
            assertThat(s.status()).isEqualTo(RuntimeStatus.COMPLETED);
            assertThat(s.output()).isEqualTo("\"final\"");
        });
    }

    private static com.azure.data.tables.TableClient tableClient(String name) {
        return new com.azure.data.tables.TableServiceClientBuilder()
                .connectionString(AzureConnection.parse(AzuriteFixture.connectionString()).normalized()).buildClient().getTableClient(name);
    }

    private static List<String> blobs(AzureStorageProvider p, String instanceId) {
        return new BlobServiceClientBuilder().connectionString(AzureConnection.parse(AzuriteFixture.connectionString()).normalized())
                .buildClient().getBlobContainerClient(p.names().largeMessagesContainer())
                .listBlobs().stream().map(BlobItem::getName).filter(n -> n.startsWith(Keys.blobFolder(instanceId)))
                .collect(Collectors.toList());
    }
}

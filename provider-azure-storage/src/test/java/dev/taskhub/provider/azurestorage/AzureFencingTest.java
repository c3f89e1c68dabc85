package dev.taskhub.provider.azurestorage;

import com.azure.core.util.Context;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.taskhub.provider.azurestorage.SpiFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Fencing of the checkpoint against a writer whose partition moved to another worker while it was committing: a
 * stale worker ("z-stale") is stopped inside its commit by a test hook, the partition is handed to the winner
 * ("a-winner", which sorts first and so targets the single partition), the winner locks and commits, and then the
 * stale worker carries on. Also the repair of a start whose message could not be sent. Each test uses its own hub.
 */
class AzureFencingTest {
    private static final String STALE_MARK = "A-stale-";
    private static final String WINNER_MARK = "B-winner-";

    private final List<AzureStorageProvider> providers = new ArrayList<>();
    private AzureStorageProvider stale;
    private AzureStorageProvider winner;

    @BeforeEach
    void setUp() {
        String hub = AzuriteFixture.hubName("AzFence");
        stale = open(hub, "z-stale");
        stale.createTaskHub();
        winner = open(hub, "a-winner");
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

    private AzureStorageProvider open(String hub, String workerId) {
        Map<String, String> settings = AzuriteFixture.fastSettings();
        settings.put("taskhub.azure.partitionCount", "1");
        settings.put("taskhub.azure.workerId", workerId);
        AzureStorageProvider p = AzuriteFixture.provider(AzuriteFixture.connectionString(), hub, settings);
        providers.add(p);
        return p;
    }

    /**
     * A checkpoint (150 events, or 40 that fit one batch) committed by a worker whose partition moves to another
     * worker in the middle of the commit: before its first history batch, or (with events large enough for three
     * batches and an existing history) between its first and second batch; and, after a prior episode, from the state
     * the worker remembers of it (guarded by the sentinel's fence row alone when the checkpoint fits one batch). The
     * winner's history, instance row and blobs must be intact, and nothing of the stale writer may be visible.
     */
    @ParameterizedTest(name = "move before batch {0}, event size {1}, prior episode {2}, {3} events")
    @CsvSource({"0, 100, false, 150", "1, 25000, true, 150", "0, 100, true, 150", "0, 100, true, 40"})
    void partitionMovesInTheMiddleOfACommit_staleWriterIsRefusedAndTheWinnerIsIntact(int moveBeforeBatch, int eventChars,
                                                                                    boolean priorEpisode, int eventCount) {
        String id = newId();
        String input = "\"" + "i".repeat(40_000) + "\"";
        create(stale, id, input);
        OrchestrationWorkItem item = lockOne(stale, Duration.ofSeconds(20));
        assertThat(item).isNotNull();
        if (priorEpisode) {
            assertThat(stale.commitCheckpoints(List.of(running(item, List.of(), List.of())))).containsExactly(CommitResult.COMMITTED);
            stale.sendOrchestrationMessage(event(id, "first", "1"));
            long reads = stale.requestCounts().getOrDefault("table.get", 0L);
            item = lockOne(stale, Duration.ofSeconds(20));
            assertThat(item).isNotNull();
            // the stale worker starts from what it wrote (its fence row guards the checkpoint), not from a read
            assertThat(stale.requestCounts().getOrDefault("table.get", 0L)).as("reads of the second lock").isEqualTo(reads);
        }
        List<HistoryEvent> before = stale.getHistory(id);
        Checkpoint staleCheckpoint = bigCheckpoint(item, STALE_MARK, eventChars, RuntimeStatus.RUNNING, eventCount);
        assertThat(staleCheckpoint.newEvents()).hasSize(eventCount);

        List<HistoryEvent> winnerEvents = new ArrayList<>();
        List<Integer> batchesSeen = new ArrayList<>();
        AtomicBoolean moved = new AtomicBoolean();
        stale.testHooks(new TestHooks() {
            @Override
            public void beforeHistoryBatch(String instanceId, int batch, int batches) {
                batchesSeen.add(batch);
                if (batch == moveBeforeBatch && moved.compareAndSet(false, true)) {
                    winnerEvents.addAll(moveAndCommitOnTheWinner(id));
                }
            }
        });

        List<CommitResult> result = stale.commitCheckpoints(List.of(staleCheckpoint));

        assertThat(moved).as("the partition moved during the commit").isTrue();
        assertThat(result).singleElement().isInstanceOfSatisfying(CommitResult.Refused.class,
                r -> assertThat(r.cause()).isInstanceOf(LeaseLostException.class));
        List<HistoryEvent> expected = new ArrayList<>(before);
        expected.addAll(winnerEvents);
        List<HistoryEvent> history = winner.getHistory(id);
        assertThat(summary(history)).as("the history is exactly the winner's").isEqualTo(summary(expected));
        assertThat(history.equals(expected)).as("the history equals the winner's, payloads included").isTrue();
        InstanceState row = winner.getInstance(id).orElseThrow();
        assertThat(row.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertSame("output", row.output(), bigText(WINNER_MARK + "output"));
        assertSame("input", row.input(), input);
        // nothing the stale writer wrote survives: no history row (visible or not) and no blob holds its content
        for (TableEntity e : historyRows(id)) {
            assertThat(String.valueOf(e.getProperties().get("Event")).contains(STALE_MARK)).as("row %s holds stale content", e.getRowKey())
                    .isFalse();
        }
        for (String blob : blobs(id)) {
            assertThat(download(blob).contains(STALE_MARK)).as("blob %s holds stale content", blob).isFalse();
        }
        // the winner's blobs hold the winner's payloads
        TableEntity instanceRow = instancesTable().getEntity(Keys.tableKey(id), "");
        String outputBlob = (String) instanceRow.getProperties().get("OutputBlob");
        assertThat(outputBlob).isNotNull();
        assertSame("output blob", download(outputBlob), bigText(WINNER_MARK + "output"));
        assertThat(batchesSeen).as("no history batch after the refused one").containsExactly(moveBeforeBatch == 0 ? new Integer[]{0} : new Integer[]{0, 1});
    }

    /**
     * The sentinel a worker remembers from its own last append (no ETag: batch responses do not carry one) cannot append
     * once another writer moved the history on — another append, a reset (the id re-created) or a purge — because its
     * fence row is gone; the history stays the other writer's. Without any of those it appends, reading nothing.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"nothing", "append", "reset", "purge"})
    void rememberedSentinel_cannotAppendAfterAnotherWriterMovedTheHistory(String change) {
        String id = newId();
        HistoryRepository history = new HistoryRepository(tableService().getTableClient(stale.names().historyTable()),
                new PayloadStore(blobService().getBlobContainerClient(stale.names().largeMessagesContainer())));
        Instant now = Instant.now();
        Sentinel remembered = history.append(id, history.readSentinel(id), List.of(new HistoryEvent.OrchestratorStarted(-1, now)),
                false, List.of("m1"), null, new ArrayList<>());
        assertThat(remembered.etag()).isNull();
        assertThat(remembered.fence()).isNotNull();
        switch (change) {
            case "append" -> history.append(id, history.readSentinel(id), List.of(new HistoryEvent.EventRaised(-1, now, "other", "1", "m2")),
                    false, List.of("m2"), null, new ArrayList<>());
            case "reset" -> history.reset(id, history.readSentinel(id));
            case "purge" -> history.deleteAll(id);
            default -> { }
        }
        List<HistoryEvent> before = history.read(id);
        List<HistoryEvent> late = List.of(new HistoryEvent.EventRaised(-1, now, "late", "2", "m3"));

        if (change.equals("nothing")) {
            Sentinel next = history.append(id, remembered, late, false, List.of("m3"), null, new ArrayList<>());
            assertThat(next.version()).isEqualTo(remembered.version() + 1);
            assertThat(history.read(id)).hasSize(2);
            assertThat(history.readSentinel(id).consumed()).containsExactly("m1", "m3");
            assertThat(historyRows(id).stream().filter(e -> e.getRowKey().startsWith(HistoryRepository.FENCE_PREFIX)))
                    .as("exactly one fence row, the sentinel's").singleElement()
                    .satisfies(e -> assertThat(e.getRowKey()).isEqualTo(history.readSentinel(id).fence()));
            return;
        }
        assertThatThrownBy(() -> history.append(id, remembered, late, false, List.of("m3"), null, new ArrayList<>()))
                .isInstanceOf(LeaseLostException.class);
        assertThat(history.read(id)).isEqualTo(before);
        assertThat(history.readSentinel(id).consumed()).doesNotContain("m3");
    }

    /** A stale writer whose history went in before the partition moved must not overwrite the newer instance row. */
    @Test
    void lateInstanceRowWrite_cannotTurnCompletedBackIntoRunning() {
        String id = newId();
        create(stale, id, null);
        OrchestrationWorkItem first = lockOne(stale, Duration.ofSeconds(20));
        assertThat(stale.commitCheckpoints(List.of(running(first, List.of(), List.of())))).containsExactly(CommitResult.COMMITTED);
        stale.sendOrchestrationMessage(event(id, "first", "1"));
        OrchestrationWorkItem item = lockOne(stale, Duration.ofSeconds(20));
        Checkpoint staleCheckpoint = bigCheckpoint(item, STALE_MARK, 100, RuntimeStatus.RUNNING);

        List<HistoryEvent> winnerEvents = new ArrayList<>();
        AtomicBoolean moved = new AtomicBoolean();
        stale.testHooks(new TestHooks() {
            @Override
            public void beforeInstanceRow(String instanceId) {
                if (moved.compareAndSet(false, true)) {
                    winnerEvents.addAll(moveAndCommitOnTheWinner(id));
                }
            }
        });

        List<CommitResult> result = stale.commitCheckpoints(List.of(staleCheckpoint));

        assertThat(moved).isTrue();
        // the stale writer's history did go in first (the winner built on it); only its late row write is refused
        assertThat(result).containsExactly(CommitResult.COMMITTED);
        InstanceState row = winner.getInstance(id).orElseThrow();
        assertThat(row.status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertSame("output", row.output(), bigText(WINNER_MARK + "output"));
        assertSame("custom status", row.customStatus(), bigText(WINNER_MARK + "status"));
        List<HistoryEvent> history = winner.getHistory(id);
        assertThat(summary(history.subList(history.size() - winnerEvents.size(), history.size()))).isEqualTo(summary(winnerEvents));
        TableEntity instanceRow = instancesTable().getEntity(Keys.tableKey(id), "");
        assertSame("custom status blob", download((String) instanceRow.getProperties().get("CustomStatusBlob")), bigText(WINNER_MARK + "status"));
        assertSame("output blob", download((String) instanceRow.getProperties().get("OutputBlob")), bigText(WINNER_MARK + "output"));
        // the next episode sees the winner's state
        winner.sendOrchestrationMessage(event(id, "late", "1"));
        OrchestrationWorkItem next = lockOne(winner, Duration.ofSeconds(20));
        assertThat(next.instance().status()).isEqualTo(RuntimeStatus.COMPLETED);
    }

    /**
     * A start whose message could not be sent and whose row could not be removed either leaves a pending row behind;
     * once the longest time a start can take has passed, the next start of the same id takes it over.
     */
    @ParameterizedTest(name = "replacing a finished instance: {0}")
    @CsvSource({"false", "true"})
    void startWhoseSendAndRollbackFailed_isRepairedByTheNextStart(boolean replacingAFinishedInstance) {
        AzureStorageProvider p = stale;
        p.startGrace(Duration.ofSeconds(2), Duration.ZERO);
        String id = newId();
        if (replacingAFinishedInstance) {
            create(p, id, "\"zero\"");
            OrchestrationWorkItem done = lockOne(p, Duration.ofSeconds(20));
            assertThat(p.commitCheckpoints(List.of(complete(done, "\"0\"")))).containsExactly(CommitResult.COMMITTED);
        }
        AtomicBoolean failSend = new AtomicBoolean(true);
        AtomicBoolean failRollback = new AtomicBoolean(true);
        p.testHooks(new TestHooks() {
            @Override
            public void beforeStartSend(String instanceId) {
                if (failSend.getAndSet(false)) {
                    throw new StorageException("simulated: the queue is unreachable");
                }
            }

            @Override
            public void beforeStartRollback(String instanceId) {
                if (failRollback.getAndSet(false)) {
                    throw new StorageException("simulated: the table is unreachable");
                }
            }
        });
        assertThatThrownBy(() -> create(p, id, "\"first\"")).isInstanceOf(StorageException.class);
        assertThat(p.getInstance(id)).get().extracting(InstanceState::status).isEqualTo(RuntimeStatus.PENDING);
        // a start whose message went out normally stays protected, however long it waits for a worker
        String healthy = newId();
        create(p, healthy, "\"healthy\"");

        // right away the row still counts as a start in progress
        assertThatThrownBy(() -> create(p, id, "\"second\"")).isInstanceOf(InstanceAlreadyExistsException.class);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try {
                create(p, id, "\"second\"");
                return true;
            } catch (InstanceAlreadyExistsException e) {
                return false;
            }
        });
        assertThatThrownBy(() -> create(p, healthy, "\"again\"")).isInstanceOf(InstanceAlreadyExistsException.class);

        List<OrchestrationWorkItem> items = lockAll(p, 2, Duration.ofSeconds(20));
        assertThat(items).extracting(OrchestrationWorkItem::instanceId).containsExactlyInAnyOrder(id, healthy);
        OrchestrationWorkItem item = items.stream().filter(i -> i.instanceId().equals(id)).findFirst().orElseThrow();
        assertThat(item.instance().input()).isEqualTo("\"second\"");
        assertThat(item.messages()).singleElement().satisfies(m ->
                assertThat(((HistoryEvent.ExecutionStarted) m.event()).input()).isEqualTo("\"second\""));
        assertThat(p.commitCheckpoints(items.stream().map(i -> complete(i, "\"done\"")).toList()))
                .containsOnly(CommitResult.COMMITTED);
        assertThat(p.getInstance(id).orElseThrow().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(p.getInstance(id).orElseThrow().output()).isEqualTo("\"done\"");
        assertThat(p.getHistory(id)).filteredOn(HistoryEvent.ExecutionStarted.class::isInstance).singleElement()
                .satisfies(e -> assertThat(((HistoryEvent.ExecutionStarted) e).input()).isEqualTo("\"second\""));
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The partition moves: the stale worker stops renewing (as if its lease ran out) and its lease is broken; the winner
     * takes the partition, locks the instance (with a fresh message: the stale worker's messages are still invisible)
     * and commits 150 events that complete it. Returns the winner's committed events.
     */
    private List<HistoryEvent> moveAndCommitOnTheWinner(String id) {
        stale.partitionManager().abandon();
        BlobContainerClient leases = blobService().getBlobContainerClient(stale.names().leasesContainer());
        new BlobLeaseClientBuilder().blobClient(leases.getBlobClient(PartitionManager.blobName(0))).buildClient()
                .breakLeaseWithResponse(0, null, null, Context.NONE);
        winner.sendOrchestrationMessage(event(id, "move", "2"));
        OrchestrationWorkItem item = lockOne(winner, Duration.ofSeconds(30));
        assertThat(item).as("the winner locks the instance").isNotNull();
        Checkpoint checkpoint = bigCheckpoint(item, WINNER_MARK, 100, RuntimeStatus.COMPLETED);
        assertThat(winner.commitCheckpoints(List.of(checkpoint))).containsExactly(CommitResult.COMMITTED);
        return checkpoint.newEvents();
    }

    /**
     * 150 events (the work item's messages, one event with a payload too large for a table property, the rest of
     * {@code eventChars} characters each), and a state with a large custom status; COMPLETED states also get a large
     * output. Every payload carries {@code mark}.
     */
    private static Checkpoint bigCheckpoint(OrchestrationWorkItem item, String mark, int eventChars, RuntimeStatus status) {
        return bigCheckpoint(item, mark, eventChars, status, 150);
    }

    private static Checkpoint bigCheckpoint(OrchestrationWorkItem item, String mark, int eventChars, RuntimeStatus status, int count) {
        Instant now = Instant.now();
        List<HistoryEvent> events = new ArrayList<>();
        events.add(new HistoryEvent.OrchestratorStarted(-1, now));
        item.messages().forEach(m -> events.add(m.event()));
        events.add(new HistoryEvent.TaskScheduled(1000, now, "Big", bigText(mark + "event")));
        for (int i = 0; events.size() < count; i++) {
            String input = "\"" + mark + i + "-" + "x".repeat(Math.max(0, eventChars - 20)) + "\"";
            events.add(new HistoryEvent.TaskScheduled(i, now, "Act", input));
        }
        InstanceState base = item.instance();
        String output = status == RuntimeStatus.COMPLETED ? bigText(mark + "output") : null;
        InstanceState state = InstanceState.builder().instanceId(item.instanceId()).name(base.name())
                .version(base.version()).executionId(base.executionId()).status(status).input(base.input())
                .output(output).customStatus(bigText(mark + "status")).createdAt(base.createdAt()).lastUpdatedAt(now)
                .parentInstanceId(base.parentInstanceId()).build();
        return new Checkpoint(item, events, false, state, List.<TaskMessage>of(), List.of());
    }

    /** Short descriptions of events (type and the start of the payload), for readable failures. */
    private static List<String> summary(List<HistoryEvent> events) {
        return events.stream().map(e -> {
            String input = e instanceof HistoryEvent.TaskScheduled t ? t.input()
                    : e instanceof HistoryEvent.EventRaised r ? r.input() : "";
            return e.eventType() + ":" + (input == null ? "" : input.substring(0, Math.min(24, input.length())));
        }).toList();
    }

    /** Compares long texts without printing them in full. */
    private static void assertSame(String what, String actual, String expected) {
        assertThat(actual == null ? null : actual.substring(0, Math.min(30, actual.length()))).as(what)
                .isEqualTo(expected == null ? null : expected.substring(0, Math.min(30, expected.length())));
        assertThat(java.util.Objects.equals(actual, expected)).as("%s (full text)", what).isTrue();
    }

    /** A JSON string of 40,000 characters (larger than a table property may hold). */
    private static String bigText(String mark) {
        return "\"" + mark + "-" + "y".repeat(40_000) + "\"";
    }

    private List<TableEntity> historyRows(String id) {
        TableClient table = tableService().getTableClient(stale.names().historyTable());
        List<TableEntity> rows = new ArrayList<>();
        table.listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq " + Keys.literal(Keys.tableKey(id))), null, null)
                .forEach(rows::add);
        return rows;
    }

    private TableClient instancesTable() {
        return tableService().getTableClient(stale.names().instancesTable());
    }

    private List<String> blobs(String id) {
        return blobService().getBlobContainerClient(stale.names().largeMessagesContainer()).listBlobs().stream()
                .map(BlobItem::getName).filter(n -> n.startsWith(Keys.blobFolder(id))).toList();
    }

    private String download(String blob) {
        return new String(blobService().getBlobContainerClient(stale.names().largeMessagesContainer()).getBlobClient(blob)
                .downloadContent().toBytes(), StandardCharsets.UTF_8);
    }

    private static com.azure.data.tables.TableServiceClient tableService() {
        return new TableServiceClientBuilder().connectionString(AzureConnection.parse(AzuriteFixture.connectionString()).normalized())
                .buildClient();
    }

    private static com.azure.storage.blob.BlobServiceClient blobService() {
        return new BlobServiceClientBuilder().connectionString(AzureConnection.parse(AzuriteFixture.connectionString()).normalized())
                .buildClient();
    }
}

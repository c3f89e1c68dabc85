package dev.taskhub.provider.azurestorage;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.BinaryData;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import com.azure.storage.queue.models.QueueMessageItem;
import com.azure.storage.queue.models.UpdateMessageResult;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.TaskhubException;
import dev.taskhub.client.InstanceQuery;
import dev.taskhub.client.PurgeCriteria;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Azure Storage provider for one task hub: instances and history in Tables, control queues (one per partition) and
 * a work-item queue in Queues, large payloads and partition leases in Blobs — the layout Durable Functions uses.
 *
 * <p>Checkpoints are applied in the order (1) send outbound messages and upload large payloads under unique blob
 * names, (2) append history in batches that each carry an ETag condition on the sentinel row (a stale writer gets
 * {@link LeaseLostException} at its first batch and writes nothing), (3) write the instance row on the ETag read at
 * lock time (a late writer never overwrites a newer state), (4) delete the consumed queue messages; a replay after a
 * crash at any point is idempotent (see {@code docs/azure-storage.md}).
 *
 * <p>Thread-safe; one instance is shared by the client and all dispatcher threads of a worker. The creator closes it,
 * which releases the partition leases so other workers take over at once. {@link #requestCounts()} reports the
 * storage requests made so far, by operation, for cost estimates.
 */
public final class AzureStorageProvider implements StorageProvider {
    private static final Logger LOG = LoggerFactory.getLogger(AzureStorageProvider.class);
    private static final DateTimeFormatter ODATA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String TOKEN_PREFIX = "az1|";

    private final String taskHubName;
    private final AzureSettings settings;
    private final HubNames names;
    private final RequestCounter counter = new RequestCounter();
    private final TableServiceClient tableService;
    private final QueueServiceClient queueService;
    private final BlobServiceClient blobService;
    private final TableClient instancesTable;
    private final HistoryTable history;
    private final QueueClient workItems;
    private final List<QueueClient> controlQueues;
    private final PayloadStore payloads;
    private final PartitionManager partitions;
    private final ControlQueues control;
    private final Map<String, ActivityLock> activityLocks = new ConcurrentHashMap<>();
    private volatile Duration orchestrationIdle;
    private volatile Duration activityIdle;
    private volatile boolean closed;
    private volatile TestHooks hooks = TestHooks.NONE;
    /** The longest a start can take between writing its row and sending its message (from the retry settings). */
    private volatile Duration startGrace;
    /** Allowance for the clocks of other processes when judging another process's start deadline. */
    private volatile Duration startClockMargin = Duration.ofMinutes(1);

    /** A locked work-item queue message; the pop receipt changes on every renewal. */
    private static final class ActivityLock {
        final String queueMessageId;
        final String text;
        final Envelope envelope;
        volatile String popReceipt;
        volatile Instant expiry;

        ActivityLock(String queueMessageId, String text, Envelope envelope, String popReceipt, Instant expiry) {
            this.queueMessageId = queueMessageId;
            this.text = text;
            this.envelope = envelope;
            this.popReceipt = popReceipt;
            this.expiry = expiry;
        }
    }

    AzureStorageProvider(ProviderConfig config) {
        this.taskHubName = config.taskHubName();
        this.settings = AzureSettings.from(config);
        this.names = HubNames.of(config.taskHubName(), settings.partitionCount());
        AzureConnection connection = AzureConnection.parse(config.connectionString());
        HttpClient http = new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(10)).responseTimeout(settings.requestTimeout()).build();
        RequestRetryOptions storageRetry = new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, settings.maxRetries() + 1,
                settings.requestTimeout(), Duration.ofMillis(250), Duration.ofSeconds(5), null);
        RetryOptions tableRetry = new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(settings.maxRetries())
                .setBaseDelay(Duration.ofMillis(250)).setMaxDelay(Duration.ofSeconds(5)));
        try {
            this.tableService = new TableServiceClientBuilder().connectionString(connection.normalized()).httpClient(http)
                    .retryOptions(tableRetry).addPolicy(counter.policy("table")).buildClient();
            this.queueService = new QueueServiceClientBuilder().connectionString(connection.normalized()).httpClient(http)
                    .retryOptions(storageRetry).addPolicy(counter.policy("queue")).messageEncoding(QueueMessageEncoding.BASE64).buildClient();
            this.blobService = new BlobServiceClientBuilder().connectionString(connection.normalized()).httpClient(http)
                    .retryOptions(storageRetry).addPolicy(counter.policy("blob")).buildClient();
        } catch (RuntimeException e) {
            throw new dev.taskhub.ConfigurationException("Cannot create Azure Storage clients for '"
                    + AzureConnection.mask(config.connectionString()) + "': " + AzureConnection.mask(String.valueOf(e.getMessage())), e);
        }
        this.instancesTable = tableService.getTableClient(names.instancesTable());
        this.payloads = new PayloadStore(blobService.getBlobContainerClient(names.largeMessagesContainer()));
        this.history = new HistoryTable(tableService.getTableClient(names.historyTable()), payloads);
        this.workItems = queueService.getQueueClient(names.workItemQueue());
        this.controlQueues = names.controlQueues().stream().map(queueService::getQueueClient).collect(Collectors.toList());
        ControlQueues[] holder = new ControlQueues[1];
        this.partitions = new PartitionManager(blobService.getBlobContainerClient(names.leasesContainer()), settings, new PartitionManager.Listener() {
            @Override
            public boolean hasActiveLocks(int partition) {
                return holder[0].hasActiveLocks(partition);
            }

            @Override
            public void partitionGone(int partition, boolean graceful) {
                holder[0].partitionGone(partition, graceful);
            }
        });
        this.control = new ControlQueues(controlQueues, partitions, history, new ControlQueues.InstanceReader() {
            @Override
            public ControlQueues.InstanceRow read(String instanceId) {
                return readRow(instanceId);
            }

            @Override
            public ControlQueues.InstanceRow repair(String instanceId, Sentinel sentinel, ControlQueues.InstanceRow row) {
                return repairRow(instanceId, sentinel, row);
            }
        }, payloads);
        holder[0] = control;
        this.orchestrationIdle = settings.pollMin();
        this.activityIdle = settings.pollMin();
        // resetting the history and sending the message, each with all its retries
        this.startGrace = settings.requestTimeout().plusSeconds(5).multipliedBy(2L * (settings.maxRetries() + 1));
        LOG.debug("Azure Storage provider for hub '{}' on {} (worker {})", taskHubName, connection, settings.workerId());
    }

    // ------------------------------------------------------------------ provider

    @Override
    public String providerName() {
        return AzureStorageProviderFactory.NAME;
    }

    @Override
    public String taskHubName() {
        return taskHubName;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.DURABLE, Capability.MULTI_PROCESS);
    }

    /** Storage requests made by this provider so far, per operation type (e.g. {@code queue.receive}), retries included. */
    public Map<String, Long> requestCounts() {
        return counter.snapshot();
    }

    /** The total of {@link #requestCounts()}. */
    public long totalRequests() {
        return counter.total();
    }

    /** Resets the request counters (benchmarks reset between warm-up and measurement). */
    public void resetRequestCounts() {
        counter.reset();
    }

    /** The partitions whose control queues this provider currently owns (for diagnostics and tests). */
    public Set<Integer> ownedPartitions() {
        return partitions.ownedPartitions();
    }

    /** The partition (control queue index) of an instance. */
    public int partitionOf(String instanceId) {
        return Keys.partition(instanceId, settings.partitionCount());
    }

    @Override
    public void createTaskHub() {
        AzureErrors.run("creating the task hub '" + taskHubName + "'", () -> {
            retryWhileBeingDeleted(() -> tableService.createTableIfNotExists(names.instancesTable()));
            retryWhileBeingDeleted(() -> tableService.createTableIfNotExists(names.historyTable()));
            retryWhileBeingDeleted(workItems::createIfNotExists);
            for (QueueClient q : controlQueues) {
                retryWhileBeingDeleted(q::createIfNotExists);
            }
            BlobContainerClient large = blobService.getBlobContainerClient(names.largeMessagesContainer());
            retryWhileBeingDeleted(large::createIfNotExists);
            BlobContainerClient leases = blobService.getBlobContainerClient(names.leasesContainer());
            retryWhileBeingDeleted(leases::createIfNotExists);
            for (int p = 0; p < settings.partitionCount(); p++) {
                try {
                    leases.getBlobClient(PartitionManager.blobName(p)).upload(BinaryData.fromString(""), false);
                } catch (RuntimeException e) {
                    if (AzureErrors.status(e) != 409) {
                        throw e;
                    }
                }
            }
        });
    }

    /** Azure refuses to re-create a table/queue/container for a while after it was deleted (409 ...BeingDeleted). */
    private static void retryWhileBeingDeleted(Runnable create) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                create.run();
                return;
            } catch (RuntimeException e) {
                String text = String.valueOf(e.getMessage());
                if (AzureErrors.status(e) != 409 || !text.contains("BeingDeleted") || System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(Duration.ofSeconds(2));
            }
        }
    }

    @Override
    public void deleteTaskHub() {
        partitions.reset();
        control.clear();
        AzureErrors.run("deleting the task hub '" + taskHubName + "'", () -> {
            tableService.getTableClient(names.instancesTable()).deleteTable();
            tableService.getTableClient(names.historyTable()).deleteTable();
            workItems.deleteIfExists();
            for (QueueClient q : controlQueues) {
                q.deleteIfExists();
            }
            blobService.getBlobContainerClient(names.largeMessagesContainer()).deleteIfExists();
            blobService.getBlobContainerClient(names.leasesContainer()).deleteIfExists();
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (partitions.started()) {
                control.close();
            }
            partitions.close();
        } catch (RuntimeException e) {
            LOG.debug("Releasing partitions on close failed: {}", e.toString());
        }
        for (ActivityLock lock : activityLocks.values()) {
            try {
                workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ZERO);
            } catch (RuntimeException ignored) {
                // visible again when its timeout ends
            }
        }
        activityLocks.clear();
        LOG.debug("Azure Storage provider for hub '{}' closed after {} storage requests: {}", taskHubName, counter.total(), counter.snapshot());
    }

    // ------------------------------------------------------------------ instances

    ControlQueues.InstanceRow readRow(String instanceId) {
        return AzureErrors.call("reading instance '" + instanceId + "'", () -> {
            for (int attempt = 0; ; attempt++) {
                TableEntity e = rowEntity(instanceId);
                if (e == null) {
                    return null;
                }
                try {
                    return toRow(e);
                } catch (PayloadStore.MissingPayloadException gone) {
                    if (attempt >= 2) {
                        throw gone;
                    }
                    // a newer checkpoint replaced the row (and its blobs) while we read it: read it again
                }
            }
        });
    }

    private ControlQueues.InstanceRow toRow(TableEntity e) {
        Map<String, Object> p = e.getProperties();
        return new ControlQueues.InstanceRow(StateCodec.fromProps(p, "", payloads, true), StateCodec.lng(p, "HistoryVersion", -1),
                StateCodec.lng(p, "ResetSeq", 0), e.getETag(), p);
    }

    /** The raw instance row, or null. */
    private TableEntity rowEntity(String instanceId) {
        try {
            return instancesTable.getEntity(Keys.tableKey(instanceId), "");
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return null;
            }
            throw e;
        }
    }

    /** Whether a conditional row write was applied or left alone because the row had moved on. */
    enum RowWrite { WRITTEN, SUPERSEDED }

    /**
     * Step 3 of a checkpoint (and the repair of it): writes the instance row with state {@code props} reflecting
     * history version {@code version}, on condition that the row is still the one this episode read ({@code etag};
     * null when there was none: insert only). A late writer therefore never overwrites a newer state. When the row
     * changed meanwhile it is read again and
     * <ul>
     *   <li>left alone when it belongs to a newer incarnation (another ResetSeq: the id was re-created), already
     *       reflects this history version or a later one, or was deleted (purged: never resurrected);</li>
     *   <li>otherwise (an older state landed in between) written again on the new ETag.</li>
     * </ul>
     */
    RowWrite writeRow(String instanceId, Map<String, Object> props, long version, long resetSeq, String etag) {
        return AzureErrors.call("writing instance '" + instanceId + "'", () -> {
            String expected = etag;
            for (int attempt = 0; ; attempt++) {
                TableEntity e = new TableEntity(Keys.tableKey(instanceId), "");
                props.forEach(e::addProperty);
                e.addProperty("HistoryVersion", version);
                if (resetSeq > 0) {
                    e.addProperty("ResetSeq", resetSeq);
                }
                try {
                    if (expected == null) {
                        instancesTable.createEntity(e);
                    } else {
                        e.addProperty("odata.etag", expected);
                        instancesTable.updateEntityWithResponse(e, TableEntityUpdateMode.REPLACE, true, null, null);
                    }
                    return RowWrite.WRITTEN;
                } catch (RuntimeException ex) {
                    int status = AzureErrors.status(ex);
                    if (status != 412 && status != 409 && status != 404) {
                        throw ex;
                    }
                }
                TableEntity now = rowEntity(instanceId);
                if (now == null) {
                    if (expected == null && attempt < 5) {
                        continue; // created and deleted again in between: insert
                    }
                    LOG.debug("Instance row of '{}' is gone (purged); not re-created by a late checkpoint", instanceId);
                    return RowWrite.SUPERSEDED;
                }
                long nowResetSeq = StateCodec.lng(now.getProperties(), "ResetSeq", 0);
                long nowVersion = StateCodec.lng(now.getProperties(), "HistoryVersion", -1);
                if (nowResetSeq != resetSeq || nowVersion >= version) {
                    LOG.debug("Instance row of '{}' already holds history version {} (ResetSeq {}); not overwritten with version {}",
                            instanceId, nowVersion, nowResetSeq, version);
                    return RowWrite.SUPERSEDED;
                }
                if (attempt >= 5) {
                    throw new StorageException("The instance row of '" + instanceId + "' kept changing while it was written; "
                            + "the next episode repairs it from the history.");
                }
                expected = now.getETag();
            }
        });
    }

    /** Writes the sentinel's state copy to the instance row (conditionally, see {@link #writeRow}); returns the row now. */
    private ControlQueues.InstanceRow repairRow(String instanceId, Sentinel sentinel, ControlQueues.InstanceRow row) {
        Map<String, Object> props = StateCodec.unprefixed(sentinel.properties(), Sentinel.STATE_PREFIX);
        writeRow(instanceId, props, sentinel.stateVersion(), row == null ? 0 : row.resetSeq(), row == null ? null : row.etag());
        return readRow(instanceId);
    }

    /**
     * Marks a row whose start message is not known to be sent: {@code <deadline> <random>}, written with the row and
     * cleared after the send. A row still marked after its deadline (plus a clock margin) was left behind by a start
     * whose send and clean-up both failed; the next start of the id takes it over.
     */
    static final String START_PENDING = "StartPending";

    @Override
    public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
        String id = state.instanceId();
        String what = "creating instance '" + id + "'";
        List<String> uploaded = new ArrayList<>();
        Map<String, Object> props = AzureErrors.call(what, () -> StateCodec.encode(state, payloads, null, null, uploaded));
        String marker = Instant.now().plus(startGrace) + " " + UUID.randomUUID();
        try {
            AzureErrors.run(what, () -> claimRow(id, props, marker, replaceableStatuses));
        } catch (InstanceAlreadyExistsException e) {
            uploaded.forEach(payloads::deleteQuietly);
            throw e;
        }
        try {
            hooks.beforeStartSend(id);
            sendOrchestrationMessage(startMessage);
        } catch (RuntimeException e) {
            if (rollBackStart(id, marker)) {
                uploaded.forEach(payloads::deleteQuietly);
            }
            throw e instanceof TaskhubException te ? te : AzureErrors.wrap("sending the start message of '" + id + "'", e);
        }
        try {
            // the start is durable now: clear the marker (a merge that fails when the row is gone; a worker's own
            // write may already have dropped it)
            TableEntity clear = new TableEntity(Keys.tableKey(id), "");
            clear.addProperty(START_PENDING, "");
            instancesTable.updateEntityWithResponse(clear, TableEntityUpdateMode.MERGE, false, null, null);
        } catch (RuntimeException e) {
            LOG.debug("Could not clear the start marker of '{}' (HTTP {}); the first checkpoint drops it", id, AzureErrors.status(e));
        }
    }

    /**
     * Writes the new instance row (marked {@link #START_PENDING}): inserts it, or replaces an existing row whose
     * status {@code replaceable} allows — or which an earlier start left behind without a start message. A replaced
     * row is written first, with the ETag read, then the history is reset (also on its ETag), so a worker that still
     * holds the old incarnation can change neither.
     */
    private void claimRow(String id, Map<String, Object> props, String marker, Set<RuntimeStatus> replaceable) {
        String pk = Keys.tableKey(id);
        boolean replacing = false;
        for (int attempt = 0; ; attempt++) {
            TableEntity row = new TableEntity(pk, "");
            props.forEach(row::addProperty);
            row.addProperty("ResetSeq", Envelope.nextSeq());
            row.addProperty(START_PENDING, marker);
            row.addProperty("HistoryVersion", -1L);
            try {
                instancesTable.createEntity(row);
                return;
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) != 409) {
                    throw e;
                }
            }
            TableEntity existing = rowEntity(id);
            if (existing == null) {
                if (attempt < 5) {
                    continue;
                }
                throw new StorageException("The instance row of '" + id + "' kept appearing and disappearing while it was created; try again.");
            }
            Map<String, Object> p = existing.getProperties();
            if (marker.equals(StateCodec.str(p, START_PENDING))) {
                // our own write, whose response was lost and whose retry was refused
                if (replacing) {
                    history.reset(id, history.readSentinel(id));
                }
                return;
            }
            long rowVersion = StateCodec.lng(p, "HistoryVersion", -1);
            Sentinel sentinel = history.readSentinel(id);
            // the freshest state: the sentinel's copy when a checkpoint's history went in but its row write did not (yet)
            boolean sentinelNewer = sentinel.exists() && sentinel.stateVersion() > rowVersion
                    && StateCodec.hasState(sentinel.properties(), Sentinel.STATE_PREFIX);
            RuntimeStatus status = RuntimeStatus.parse(sentinelNewer
                    ? StateCodec.str(sentinel.properties(), Sentinel.STATE_PREFIX + "RuntimeStatus")
                    : StateCodec.str(p, "RuntimeStatus"));
            // a marked row that no checkpoint has touched (a worker's write drops the marker), past its deadline
            boolean abandoned = !sentinelNewer && status == RuntimeStatus.PENDING && startAbandoned(StateCodec.str(p, START_PENDING));
            if (!abandoned && (replaceable == null || !replaceable.contains(status))) {
                throw new InstanceAlreadyExistsException(id, status);
            }
            // reflect the current history version, so a lock between this write and the reset does not "repair" the
            // new row from the old incarnation's sentinel
            row.addProperty("HistoryVersion", sentinel.exists() ? sentinel.version() : -1L);
            row.addProperty("odata.etag", existing.getETag());
            replacing = true;
            try {
                instancesTable.updateEntityWithResponse(row, TableEntityUpdateMode.REPLACE, true, null, null);
            } catch (RuntimeException e) {
                int s = AzureErrors.status(e);
                if ((s == 412 || s == 404) && attempt < 5) {
                    continue; // changed meanwhile: decide again
                }
                throw e;
            }
            if (abandoned) {
                LOG.info("Instance '{}' was left pending by a start whose message was never sent; the new start replaces it", id);
            }
            history.reset(id, sentinel);
            return;
        }
    }

    /** Whether a {@link #START_PENDING} marker's deadline has passed (plus the clock margin). */
    private boolean startAbandoned(String marker) {
        if (marker == null || marker.isBlank()) {
            return false;
        }
        try {
            Instant deadline = Instant.parse(marker.substring(0, marker.indexOf(' ') < 0 ? marker.length() : marker.indexOf(' ')));
            return Instant.now().isAfter(deadline.plus(startClockMargin));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * After a failed send: removes the row this start wrote, if it is still that row (marker and ETag). Returns false
     * when that failed too; the row then stays marked and the next start of the id takes it over after the deadline.
     */
    private boolean rollBackStart(String id, String marker) {
        try {
            hooks.beforeStartRollback(id);
            TableEntity row = rowEntity(id);
            if (row != null && marker.equals(StateCodec.str(row.getProperties(), START_PENDING))) {
                instancesTable.deleteEntityWithResponse(row, true, null, null);
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            LOG.warn("The start message of '{}' could not be sent and its row could not be removed ({}); the next start of this id "
                    + "replaces the row after {} s", id, e.getMessage(), startGrace.plus(startClockMargin).toSeconds());
            return false;
        }
    }

    @Override
    public Optional<InstanceState> getInstance(String instanceId) {
        ControlQueues.InstanceRow row = readRow(instanceId);
        return row == null ? Optional.empty() : Optional.of(row.state());
    }

    @Override
    public InstancePage queryInstances(InstanceQuery query) {
        String filter = filter(query.createdFrom(), query.createdTo(), query.statuses(), query.instanceIdPrefix());
        String token = query.continuationToken() == null ? null : decodeToken(query.continuationToken());
        List<InstanceState> result = new ArrayList<>();
        return AzureErrors.call("querying instances", () -> {
            String next = token;
            boolean first = true;
            while (result.size() < query.pageSize() && (first || next != null)) {
                first = false;
                ListEntitiesOptions options = new ListEntitiesOptions().setTop(query.pageSize() - result.size());
                if (filter != null) {
                    options.setFilter(filter);
                }
                if (!query.fetchInputsAndOutputs()) {
                    options.setSelect(List.of("InstanceId", "Name", "Version", "ExecutionId", "RuntimeStatus", "CustomStatus",
                            "CustomStatusBlob", "FailureDetails", "FailureDetailsBlob", "CreatedAt", "LastUpdatedAt",
                            "ScheduledStartAt", "ParentInstanceId"));
                }
                Iterator<PagedResponse<TableEntity>> pages = (next == null
                        ? instancesTable.listEntities(options, null, null).iterableByPage()
                        : instancesTable.listEntities(options, null, null).iterableByPage(next)).iterator();
                if (!pages.hasNext()) {
                    next = null;
                    break;
                }
                PagedResponse<TableEntity> page = pages.next();
                for (TableEntity e : page.getValue()) {
                    InstanceState s;
                    try {
                        s = StateCodec.fromProps(e.getProperties(), "", payloads, query.fetchInputsAndOutputs());
                    } catch (PayloadStore.MissingPayloadException gone) {
                        // the instance moved on while the page was read: take its current row
                        ControlQueues.InstanceRow now = readRow(StateCodec.str(e.getProperties(), "InstanceId"));
                        if (now == null) {
                            continue;
                        }
                        s = query.fetchInputsAndOutputs() ? now.state() : now.state().withoutPayloads();
                    }
                    if (query.matches(s.instanceId(), s.status(), s.createdAt())) {
                        result.add(s);
                    }
                }
                next = page.getContinuationToken();
            }
            return new InstancePage(result, next == null ? null : ContinuationTokens.encodeRaw(TOKEN_PREFIX + next));
        });
    }

    private static String decodeToken(String token) {
        String raw = ContinuationTokens.decodeRaw(token);
        if (!raw.startsWith(TOKEN_PREFIX)) {
            throw new dev.taskhub.InvalidRequestException("The continuation token is not valid for the Azure Storage provider. "
                    + "Pass the token exactly as the previous page returned it, or omit it to start from the first page.");
        }
        return raw.substring(TOKEN_PREFIX.length());
    }

    static String filter(Instant from, Instant to, Set<RuntimeStatus> statuses, String prefix) {
        List<String> parts = new ArrayList<>();
        if (from != null) {
            parts.add("CreatedTime ge datetime'" + ODATA_TIME.format(from) + "'");
        }
        if (to != null) {
            // stored times keep 100 ns; the exact bound is re-checked in memory
            parts.add("CreatedTime le datetime'" + ODATA_TIME.format(to.plusNanos(100)) + "'");
        }
        if (statuses != null && !statuses.isEmpty()) {
            parts.add("(" + statuses.stream().sorted().map(s -> "RuntimeStatus eq " + Keys.literal(s.wireName()))
                    .collect(Collectors.joining(" or ")) + ")");
        }
        if (prefix != null && !prefix.isEmpty()) {
            String p = Keys.tableKey(prefix);
            parts.add("PartitionKey ge " + Keys.literal(p) + " and PartitionKey lt " + Keys.literal(Keys.prefixUpperBound(p)));
        }
        return parts.isEmpty() ? null : String.join(" and ", parts);
    }

    @Override
    public boolean purgeInstance(String instanceId) {
        ControlQueues.InstanceRow row = readRow(instanceId);
        if (row == null || !row.state().status().isTerminal()) {
            return false;
        }
        purgeArtifacts(instanceId);
        return true;
    }

    private void purgeArtifacts(String instanceId) {
        AzureErrors.run("purging instance '" + instanceId + "'", () -> {
            history.deleteAll(instanceId);
            payloads.deleteInstance(instanceId);
            try {
                instancesTable.deleteEntity(Keys.tableKey(instanceId), "");
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) != 404) {
                    throw e;
                }
            }
        });
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        String filter = filter(criteria.createdFrom(), criteria.createdTo(), criteria.statuses(), null);
        return AzureErrors.call("purging instances", () -> {
            List<String> ids = new ArrayList<>();
            ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter)
                    .setSelect(List.of("InstanceId", "RuntimeStatus", "CreatedAt"));
            for (TableEntity e : instancesTable.listEntities(options, null, null)) {
                Map<String, Object> p = e.getProperties();
                RuntimeStatus status = RuntimeStatus.parse(StateCodec.str(p, "RuntimeStatus"));
                if (criteria.matches(status, Instant.parse(StateCodec.str(p, "CreatedAt")))) {
                    ids.add(StateCodec.str(p, "InstanceId"));
                }
            }
            for (String id : ids) {
                purgeArtifacts(id);
            }
            return (long) ids.size();
        });
    }

    // ------------------------------------------------------------------ history

    @Override
    public List<HistoryEvent> getHistory(String instanceId) {
        return history.read(instanceId);
    }

    // ------------------------------------------------------------------ orchestration queue

    @Override
    public void sendOrchestrationMessage(TaskMessage message) {
        Envelope envelope = Envelope.of(message);
        QueueClient queue = controlQueues.get(Keys.partition(message.instanceId(), settings.partitionCount()));
        send(queue, envelope.toQueueText(payloads), message.visibleAt(), "sending a message to '" + message.instanceId() + "'");
    }

    private com.azure.storage.queue.models.SendMessageResult send(QueueClient queue, String text, Instant visibleAt, String what) {
        Duration delay = null;
        if (visibleAt != null) {
            long millis = Duration.between(Instant.now(), visibleAt).toMillis();
            if (millis > 0) {
                // whole seconds, rounded up, so a message never becomes visible early; at most ~7 days
                delay = Duration.ofSeconds(Math.min(ControlQueues.MAX_VISIBILITY.toSeconds(), (millis + 999) / 1000));
            }
        }
        Duration visibility = delay;
        return AzureErrors.call(what, () -> queue.sendMessageWithResponse(text, visibility, Duration.ofSeconds(-1), null, null).getValue());
    }

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        if (max <= 0) {
            return List.of();
        }
        partitions.demand();
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (!closed) {
            List<OrchestrationWorkItem> items = control.round(max, lease);
            if (!items.isEmpty()) {
                orchestrationIdle = settings.pollMin();
                return items;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return List.of();
            }
            Duration idle = orchestrationIdle;
            orchestrationIdle = min(idle.multipliedBy(2), settings.pollMax());
            if (!sleep(min(idle, Duration.ofNanos(left)))) {
                return List.of();
            }
        }
        return List.of();
    }

    @Override
    public Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease) {
        return control.renew(workItem, lease);
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay) {
        control.abandon(workItem, delay);
    }

    // ------------------------------------------------------------------ activities

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        if (max <= 0) {
            return List.of();
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        int seconds = (int) Math.max(1, (lease.toMillis() + 999) / 1000);
        Instant stale = Instant.now().minusSeconds(300);
        activityLocks.values().removeIf(l -> l.expiry.isBefore(stale)); // holders that never came back
        while (!closed) {
            List<QueueMessageItem> received = new ArrayList<>();
            AzureErrors.run("receiving activity work items", () ->
                    workItems.receiveMessages(Math.min(32, max), Duration.ofSeconds(seconds), null, null).forEach(received::add));
            if (!received.isEmpty()) {
                activityIdle = settings.pollMin();
                List<ActivityWorkItem> items = new ArrayList<>();
                for (QueueMessageItem m : received) {
                    String text = m.getBody().toString();
                    Envelope envelope;
                    try {
                        envelope = Envelope.fromQueueText(text, payloads);
                    } catch (RuntimeException e) {
                        LOG.error("Dropping unreadable activity message {}: {}", m.getMessageId(), e.toString());
                        AzureErrors.run("deleting an unreadable message", () -> workItems.deleteMessage(m.getMessageId(), m.getPopReceipt()));
                        continue;
                    }
                    Instant expiry = Instant.now().plusSeconds(seconds);
                    String token = UUID.randomUUID().toString();
                    activityLocks.put(token, new ActivityLock(m.getMessageId(), text, envelope, m.getPopReceipt(), expiry));
                    items.add(new ActivityWorkItem(token, expiry, envelope.toRequest(), (int) m.getDequeueCount()));
                }
                if (!items.isEmpty()) {
                    return items;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return List.of();
            }
            Duration idle = activityIdle;
            activityIdle = min(idle.multipliedBy(2), settings.pollMax());
            if (!sleep(min(idle, Duration.ofNanos(left)))) {
                return List.of();
            }
        }
        return List.of();
    }

    private ActivityLock activityLock(ActivityWorkItem item) {
        ActivityLock lock = activityLocks.get(item.lockToken());
        if (lock == null) {
            throw new LeaseLostException(item.request().messageId(), "The lock on activity message '" + item.request().messageId()
                    + "' is no longer held (completed, abandoned, or never locked by this provider).");
        }
        return lock;
    }

    @Override
    public Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease) {
        ActivityLock lock = activityLock(workItem);
        int seconds = (int) Math.max(1, (lease.toMillis() + 999) / 1000);
        try {
            UpdateMessageResult r = workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ofSeconds(seconds));
            lock.popReceipt = r.getPopReceipt();
            lock.expiry = Instant.now().plusSeconds(seconds);
            return lock.expiry;
        } catch (RuntimeException e) {
            int status = AzureErrors.status(e);
            if (status == 404 || status == 400) {
                activityLocks.remove(workItem.lockToken());
                throw new LeaseLostException(workItem.request().messageId(), "The lock on activity message '"
                        + workItem.request().messageId() + "' expired and another worker took it.");
            }
            throw AzureErrors.wrap("renewing an activity lock", e);
        }
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        ActivityLock lock = activityLocks.remove(workItem.lockToken());
        if (lock == null) {
            return;
        }
        long seconds = delay == null || delay.isNegative() ? 0 : (delay.toMillis() + 999) / 1000;
        try {
            workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ofSeconds(Math.min(seconds, ControlQueues.MAX_VISIBILITY.toSeconds())));
        } catch (RuntimeException e) {
            LOG.debug("Abandoning activity message {} failed: {}", lock.queueMessageId, e.toString());
        }
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        List<CommitResult> out = new ArrayList<>();
        for (ActivityResult result : results) {
            ActivityWorkItem item = result.workItem();
            ActivityLock lock = activityLocks.get(item.lockToken());
            try {
                if (lock == null) {
                    throw new LeaseLostException(item.request().messageId(), "The lock on activity message '"
                            + item.request().messageId() + "' is no longer held; the result was not applied.");
                }
                if (!lock.expiry.isAfter(Instant.now().plusSeconds(1))) {
                    // the lease ran out: still ours only if nobody received the message since (its pop receipt still works)
                    try {
                        lock.popReceipt = workItems.updateMessage(lock.queueMessageId, lock.popReceipt, lock.text, Duration.ofSeconds(30)).getPopReceipt();
                    } catch (RuntimeException e) {
                        if (AzureErrors.status(e) == 0) {
                            throw AzureErrors.wrap("checking an activity lock", e);
                        }
                        activityLocks.remove(item.lockToken());
                        throw new LeaseLostException(item.request().messageId(), "The lock on activity message '"
                                + item.request().messageId() + "' expired and another worker took it; the result was not applied.");
                    }
                }
                // response first, then delete: a crash in between only causes a duplicate completion, which is dropped
                sendOrchestrationMessage(result.response());
                try {
                    workItems.deleteMessage(lock.queueMessageId, lock.popReceipt);
                } catch (RuntimeException e) {
                    if (AzureErrors.status(e) == 0) {
                        throw AzureErrors.wrap("deleting a completed activity message", e);
                    }
                    LOG.debug("Completed activity message {} was already gone (HTTP {})", lock.queueMessageId, AzureErrors.status(e));
                }
                activityLocks.remove(item.lockToken());
                if (lock.envelope.blob() != null) {
                    payloads.deleteQuietly(lock.envelope.blob());
                }
                out.add(CommitResult.COMMITTED);
            } catch (TaskhubException e) {
                out.add(new CommitResult.Refused(e));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ checkpoints

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        List<CommitResult> out = new ArrayList<>();
        for (Checkpoint checkpoint : checkpoints) {
            try {
                commit(checkpoint);
                out.add(CommitResult.COMMITTED);
            } catch (TaskhubException e) {
                out.add(new CommitResult.Refused(e));
            }
        }
        return out;
    }

    private void commit(Checkpoint checkpoint) {
        OrchestrationWorkItem item = checkpoint.workItem();
        String id = item.instanceId();
        ControlQueues.Lock lock = control.validate(item);
        long before = RequestCounter.threadCount();
        List<String> uploaded = new ArrayList<>();
        boolean historyWritten = false;
        try {
            // (1) outbound messages: if we crash later, the episode is replayed and sends them again (duplicates are
            // dropped by message id on the receiving side)
            for (ActivityRequest request : checkpoint.activityRequests()) {
                send(workItems, Envelope.of(request).toQueueText(payloads), null, "scheduling activity '" + request.name() + "'");
            }
            for (TaskMessage message : checkpoint.orchestrationMessages()) {
                if (message.instanceId().equals(id)
                        && (message.visibleAt() == null || message.visibleAt().isBefore(Instant.now().plusSeconds(3)))) {
                    Envelope envelope = Envelope.of(message);
                    String text = envelope.toQueueText(payloads);
                    int partition = Keys.partition(message.instanceId(), settings.partitionCount());
                    var sent = send(controlQueues.get(partition), text, message.visibleAt(), "sending a message to '" + message.instanceId() + "'");
                    control.adopt(partition, sent.getMessageId(), sent.getPopReceipt(), text, envelope.sentAs(text));
                } else {
                    sendOrchestrationMessage(message);
                }
            }
            // large state payloads go to new blobs before anything is fenced (unchanged ones are referred to again)
            ControlQueues.InstanceRow seen = lock.row;
            Map<String, Object> stateProps = checkpoint.state() == null ? null : StateCodec.encode(checkpoint.state(), payloads,
                    seen == null ? null : seen.state(), seen == null ? null : seen.props(), uploaded);
            // (2) history, every batch conditional on the sentinel's ETag: the commit point of the episode
            long version = seen == null ? -1 : seen.historyVersion();
            if (checkpoint.changesHistory()) {
                List<String> consumed = item.messages().stream().map(TaskMessage::messageId).collect(Collectors.toList());
                version = history.append(id, lock.sentinel, checkpoint.newEvents(), checkpoint.replaceHistory(), consumed, stateProps,
                        uploaded);
            }
            historyWritten = true;
            // (3) the instance row, conditional on the ETag read at lock time (repaired from the sentinel copy if we
            // crash before this)
            hooks.beforeInstanceRow(id);
            if (stateProps != null) {
                RowWrite written = writeRow(id, stateProps, version, seen == null ? 0 : seen.resetSeq(), seen == null ? null : seen.etag());
                if (written == RowWrite.SUPERSEDED && !checkpoint.changesHistory()) {
                    throw new LeaseLostException(id, "The instance row of '" + id + "' was changed by another writer since it was "
                            + "locked; the checkpoint was not applied.");
                }
            }
            // (4) consumed messages
            control.finish(lock);
            if (checkpoint.changesHistory() && stateProps != null && seen != null) {
                // neither the row nor the sentinel refers to the replaced payloads any more
                Set<String> replaced = StateCodec.blobs(seen.props());
                replaced.removeAll(StateCodec.blobs(stateProps));
                replaced.forEach(payloads::deleteQuietly);
            }
        } catch (LeaseLostException e) {
            if (!historyWritten) {
                uploaded.forEach(payloads::deleteQuietly); // refused before anything referred to them
            }
            control.forget(lock);
            throw e;
        } catch (RuntimeException e) {
            control.unlock(lock, false);
            throw e instanceof TaskhubException te ? te : AzureErrors.wrap("committing a checkpoint", e);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("Checkpoint of '{}' ({} events, {} activities, {} messages) used {} storage requests", id,
                    checkpoint.newEvents().size(), checkpoint.activityRequests().size(), checkpoint.orchestrationMessages().size(),
                    RequestCounter.threadCount() - before);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Sleeps; returns false (with the interrupt flag set) when interrupted. */
    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    HubNames names() {
        return names;
    }

    AzureSettings settings() {
        return settings;
    }

    PartitionManager partitionManager() {
        return partitions;
    }

    /** Installs test hooks (see {@link TestHooks}). */
    void testHooks(TestHooks hooks) {
        this.hooks = hooks;
        history.hooks = hooks;
    }

    /**
     * How long a start may take at most before its row counts as left behind, and the allowance for other processes'
     * clocks (tests shorten both).
     */
    void startGrace(Duration grace, Duration clockMargin) {
        this.startGrace = grace;
        this.startClockMargin = clockMargin;
    }

    @Override
    public String toString() {
        return "AzureStorageProvider[hub=" + taskHubName + ", worker=" + settings.workerId() + "]";
    }
}

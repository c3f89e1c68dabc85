package dev.taskhub.provider.azurestorage;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.BinaryData;
import com.azure.data.tables.TableServiceClient;
import com.azure.data.tables.TableServiceClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.spi.ActivityResult;
import dev.taskhub.spi.ExpiredInstances;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstanceImport;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Azure Storage provider for one task hub: instances and history in Tables, control queues (one per partition) and
 * a work-item queue in Queues, large payloads and partition leases in Blobs — the layout Durable Functions uses.
 *
 * <p>This class creates the clients and the hub's artifacts and delegates each SPI role to its store:
 * {@link InstanceRepository} (the instances table), {@link HistoryRepository} (the history table),
 * {@link QueueStore} (control queues through {@link ControlQueues}, and the work-item queue) and
 * {@link CheckpointWriter}, which applies checkpoints in the order (1) send outbound messages and upload large
 * payloads under unique blob names, (2) append history in batches that each carry an ETag condition on the sentinel
 * row (a stale writer gets {@link LeaseLostException} at its first batch and writes nothing), (3) write the instance
 * row on the ETag read at lock time (a late writer never overwrites a newer state), (4) delete the consumed queue
 * messages; a replay after a crash at any point is idempotent (see {@code docs/azure-storage.md}).
 *
 * <p>Thread-safe; one instance is shared by the client and all dispatcher threads of a worker. The creator closes it,
 * which releases the partition leases so other workers take over at once. {@link #requestCounts()} reports the
 * storage requests made so far, by operation, for cost estimates.
 */
public final class AzureStorageProvider implements StorageProvider {
    private static final Logger LOG = LoggerFactory.getLogger(AzureStorageProvider.class);

    private final String taskHubName;
    private final AzureSettings settings;
    private final HubNames names;
    private final RequestCounter counter = new RequestCounter();
    private final TableServiceClient tableService;
    private final QueueServiceClient queueService;
    private final BlobServiceClient blobService;
    private final QueueClient workItems;
    private final List<QueueClient> controlQueues;
    private final PartitionManager partitions;
    private final HistoryRepository history;
    private final InstanceImporter importer;
    private final InstanceRepository instances;
    private final QueueStore queues;
    private final CheckpointWriter checkpoints;
    private final RetentionPolicyBlob retentionPolicies;
    private final QuarantineBlobs quarantine;
    private final StuckFinder stuckFinder;
    private final ExpiredInstancePurge expiredPurge;
    private volatile boolean closed;

    AzureStorageProvider(ProviderConfig config) {
        this(config, null);
    }

    /** With one more pipeline policy on every client, after the retry policy (the tests' request faults); null for none. */
    AzureStorageProvider(ProviderConfig config, HttpPipelinePolicy extraPolicy) {
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
            TableServiceClientBuilder tables = new TableServiceClientBuilder().connectionString(connection.normalized()).httpClient(http)
                    .retryOptions(tableRetry).addPolicy(counter.policy("table"));
            QueueServiceClientBuilder queues = new QueueServiceClientBuilder().connectionString(connection.normalized()).httpClient(http)
                    .retryOptions(storageRetry).addPolicy(counter.policy("queue")).messageEncoding(QueueMessageEncoding.BASE64);
            BlobServiceClientBuilder blobs = new BlobServiceClientBuilder().connectionString(connection.normalized()).httpClient(http)
                    .retryOptions(storageRetry).addPolicy(counter.policy("blob"));
            if (extraPolicy != null) {
                tables.addPolicy(extraPolicy);
                queues.addPolicy(extraPolicy);
                blobs.addPolicy(extraPolicy);
            }
            this.tableService = tables.buildClient();
            this.queueService = queues.buildClient();
            this.blobService = blobs.buildClient();
        } catch (RuntimeException e) {
            throw new dev.taskhub.ConfigurationException("Cannot create Azure Storage clients for '"
                    + AzureConnection.mask(config.connectionString()) + "': " + AzureConnection.mask(String.valueOf(e.getMessage())), e);
        }
        PayloadStore payloads = new PayloadStore(blobService.getBlobContainerClient(names.largeMessagesContainer()));
        this.history = new HistoryRepository(tableService.getTableClient(names.historyTable()), payloads);
        this.workItems = queueService.getQueueClient(names.workItemQueue());
        this.controlQueues = names.controlQueues().stream().map(queueService::getQueueClient).collect(Collectors.toList());
        Enqueuer enqueuer = new Enqueuer(controlQueues, workItems, payloads, settings.partitionCount());
        this.quarantine = new QuarantineBlobs(blobService.getBlobContainerClient(names.leasesContainer()));
        this.instances = new InstanceRepository(tableService.getTableClient(names.instancesTable()), history, payloads, enqueuer,
                settings, quarantine);
        this.importer = new InstanceImporter(instances, history, enqueuer, payloads);
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

            @Override
            public String heartbeat(Instant now) {
                return holder[0].heartbeat(now);
            }
        });
        ControlQueues control = new ControlQueues(controlQueues, partitions, history, instances, payloads, settings.pollMin());
        holder[0] = control;
        this.queues = new QueueStore(settings, workItems, payloads, partitions, control, enqueuer);
        this.checkpoints = new CheckpointWriter(control, enqueuer, history, instances, payloads);
        this.stuckFinder = new StuckFinder(controlQueues, payloads, this::getInstance, () -> control, partitions::otherHeartbeats);
        this.retentionPolicies = new RetentionPolicyBlob(blobService.getBlobContainerClient(names.leasesContainer()));
        this.expiredPurge = new ExpiredInstancePurge(tableService.getTableClient(names.instancesTable()), instances);
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
        queues.clear();
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
        queues.close();
        LOG.debug("Azure Storage provider for hub '{}' closed after {} storage requests: {}", taskHubName, counter.total(), counter.snapshot());
    }

    // ------------------------------------------------------------------ instances

    @Override
    public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
        instances.create(state, startMessage, replaceableStatuses);
    }

    @Override
    public boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceableStatuses) {
        return importer.importInstance(instance, replaceableStatuses == null ? Set.of() : replaceableStatuses);
    }

    @Override
    public Optional<InstanceState> getInstance(String instanceId) {
        return instances.get(instanceId);
    }

    @Override
    public InstancePage queryInstances(InstanceQuery query) {
        return instances.query(query);
    }

    @Override
    public boolean purgeInstance(String instanceId) {
        return instances.purge(instanceId);
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        return instances.purge(criteria);
    }

    @Override
    public int purgeExpiredInstances(ExpiredInstances expired) {
        return expiredPurge.purge(expired);
    }

    // ------------------------------------------------------------------ retention policies

    @Override
    public List<RetentionPolicy> retentionPolicies() {
        return retentionPolicies.list();
    }

    @Override
    public void putRetentionPolicy(RetentionPolicy policy) {
        retentionPolicies.put(policy);
    }

    @Override
    public boolean removeRetentionPolicy(RuntimeStatus status, String orchestrationName) {
        return retentionPolicies.remove(status, orchestrationName);
    }

    // ------------------------------------------------------------------ stuck instances and quarantine

    /**
     * Pending instances from the instances table (the SPI's default); the other reasons from peeks at the control queues,
     * this process's locks and buffer, and the other workers' heartbeats (see {@link StuckFinder}).
     */
    @Override
    public StuckInstances findStuckInstances(StuckQuery query, Instant now) {
        return stuckFinder.find(query, now, StorageProvider.super.findStuckInstances(query, now));
    }

    @Override
    public void putQuarantineRecord(QuarantineRecord record) {
        quarantine.put(record);
    }

    @Override
    public QuarantinePage listQuarantineRecords(QuarantineQuery query) {
        return quarantine.list(query);
    }

    @Override
    public Optional<QuarantineRecord> getQuarantineRecord(String recordId) {
        return quarantine.get(recordId);
    }

    @Override
    public boolean deleteQuarantineRecord(String recordId) {
        return quarantine.delete(recordId);
    }

    // ------------------------------------------------------------------ history

    @Override
    public List<HistoryEvent> getHistory(String instanceId) {
        return history.read(instanceId);
    }

    // ------------------------------------------------------------------ queues

    @Override
    public void sendOrchestrationMessage(TaskMessage message) {
        queues.sendOrchestrationMessage(message);
    }

    @Override
    public List<OrchestrationWorkItem> lockOrchestrationWorkItems(int max, Duration lease, Duration maxWait) {
        return queues.lockOrchestrations(max, lease, maxWait);
    }

    @Override
    public Instant renewOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration lease) {
        return queues.renewOrchestration(workItem, lease);
    }

    @Override
    public void abandonOrchestrationWorkItem(OrchestrationWorkItem workItem, Duration delay) {
        queues.abandonOrchestration(workItem, delay);
    }

    @Override
    public List<ActivityWorkItem> lockActivityWorkItems(int max, Duration lease, Duration maxWait) {
        return queues.lockActivities(max, lease, maxWait);
    }

    @Override
    public Instant renewActivityWorkItem(ActivityWorkItem workItem, Duration lease) {
        return queues.renewActivity(workItem, lease);
    }

    @Override
    public void abandonActivityWorkItem(ActivityWorkItem workItem, Duration delay) {
        queues.abandonActivity(workItem, delay);
    }

    @Override
    public List<CommitResult> completeActivityWorkItems(List<ActivityResult> results) {
        return queues.completeActivities(results);
    }

    // ------------------------------------------------------------------ checkpoints

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        return this.checkpoints.commit(checkpoints);
    }

    // ------------------------------------------------------------------ helpers

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
        instances.hooks = hooks;
        history.hooks = hooks;
        checkpoints.hooks = hooks;
    }

    /**
     * How long a start may take at most before its row counts as left behind, and the allowance for other processes'
     * clocks (tests shorten both).
     */
    void startGrace(Duration grace, Duration clockMargin) {
        instances.startGrace(grace, clockMargin);
    }

    @Override
    public String toString() {
        return "AzureStorageProvider[hub=" + taskHubName + ", worker=" + settings.workerId() + "]";
    }
}

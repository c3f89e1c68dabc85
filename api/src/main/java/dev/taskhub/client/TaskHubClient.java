package dev.taskhub.client;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.QuarantineRecordNotFoundException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.history.TraceContext;
import dev.taskhub.observe.TaskHubObserver;
import org.slf4j.LoggerFactory;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantineReplay;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import dev.taskhub.quarantine.QuarantineReplayer;
import dev.taskhub.retention.RetentionEnforcer;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.RetentionReport;
import dev.taskhub.spi.support.Ids;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.convert.RawJson;
import dev.taskhub.spi.support.Times;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Manages orchestration instances of one task hub: the operations of Durable Functions' "manage instances" model.
 * Thread-safe; it does not own the provider (close the provider yourself).
 *
 * <p>Errors: an unknown instance is an {@link InstanceNotFoundException}; an operation the instance's status does not
 * allow (raising an event to a finished instance, rewinding one that did not fail, purging one that still runs) is an
 * {@link InvalidInstanceStateException}; a bad argument is an {@link InvalidRequestException}.
 *
 * <p>Payloads (inputs, event data) are written with the client's {@link DataConverter} (default
 * {@link JsonDataConverter#DEFAULT}), and the {@link OrchestrationMetadata} it returns reads them back with it. The
 * workers of the task hub must use the same converter ({@code WorkerOptions.builder().dataConverter(...)}). A
 * {@link RawJson} value is stored as its text, without the converter.
 */
public final class TaskHubClient {
    /** The largest input or event payload accepted, in characters of JSON. */
    public static final int MAX_PAYLOAD_CHARS = 4 * 1024 * 1024;
    public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofSeconds(1);

    private final StorageProvider provider;
    private final HttpManagementOptions http;
    private final Clock clock;
    private final DataConverter converter;
    private final TaskHubObserver observer;

    public TaskHubClient(StorageProvider provider) {
        this(provider, HttpManagementOptions.builder().taskHub(provider.taskHubName()).build());
    }

    public TaskHubClient(StorageProvider provider, HttpManagementOptions http) {
        this(provider, http, Clock.systemUTC());
    }

    public TaskHubClient(StorageProvider provider, HttpManagementOptions http, Clock clock) {
        this(provider, http, clock, JsonDataConverter.DEFAULT);
    }

    /** A client whose payloads go through {@code dataConverter}; the workers of the task hub must use the same one. */
    public TaskHubClient(StorageProvider provider, DataConverter dataConverter) {
        this(provider, HttpManagementOptions.builder().taskHub(provider.taskHubName()).build(),
                Clock.systemUTC(), dataConverter);
    }

    /** A client whose payloads go through {@code dataConverter}; the workers of the task hub must use the same one. */
    public TaskHubClient(StorageProvider provider, HttpManagementOptions http, Clock clock, DataConverter dataConverter) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Times.microsecondClock(Objects.requireNonNull(clock, "clock"));
        this.converter = Objects.requireNonNull(dataConverter, "dataConverter");
        this.observer = TaskHubObserver.NONE;
    }

    private TaskHubClient(TaskHubClient base, TaskHubObserver observer) {
        this.provider = base.provider;
        this.http = base.http;
        this.clock = base.clock;
        this.converter = base.converter;
        this.observer = observer;
    }

    /**
     * This client with {@code observer} told of the orchestrations it starts (for traces: the start joins the caller's
     * current trace, and the orchestration's work continues it). This client is unchanged; both share the provider.
     * See docs/observability.md.
     */
    public TaskHubClient withObserver(TaskHubObserver observer) {
        if (observer == null) {
            throw new InvalidRequestException("observer must not be null; use TaskHubObserver.NONE to observe nothing.");
        }
        return new TaskHubClient(this, observer);
    }

    /** The observer of this client ({@link TaskHubObserver#NONE} unless set with {@link #withObserver}). */
    public TaskHubObserver observer() {
        return observer;
    }

    public StorageProvider provider() {
        return provider;
    }

    /** The name of the task hub this client works on. */
    public String taskHubName() {
        return provider.taskHubName();
    }

    /** The converter of payloads this client writes and its metadata reads. */
    public DataConverter dataConverter() {
        return converter;
    }

    // ---- start -------------------------------------------------------------------------------------------------

    public String scheduleNewOrchestrationInstance(String name) {
        return scheduleNewOrchestrationInstance(name, null, NewOrchestrationOptions.defaults());
    }

    public String scheduleNewOrchestrationInstance(String name, Object input) {
        return scheduleNewOrchestrationInstance(name, input, NewOrchestrationOptions.defaults());
    }

    /**
     * Starts an instance and returns its id once the start is durable. With the default id-reuse policy, an id whose
     * instance is pending, running or suspended is refused with {@link InstanceAlreadyExistsException}; a finished one
     * is replaced (its history is deleted).
     */
    public String scheduleNewOrchestrationInstance(String name, Object input, NewOrchestrationOptions options) {
        if (name == null || name.isBlank()) {
            throw new InvalidRequestException("The orchestrator name must not be empty.");
        }
        return schedule(name, payload(input, "input"), options);
    }

    /** Starts an instance whose input is already stored text. */
    private String schedule(String name, String inputJson, NewOrchestrationOptions options) {
        NewOrchestrationOptions opts = options == null ? NewOrchestrationOptions.defaults() : options;
        String instanceId = opts.instanceId() != null ? opts.instanceId() : UUID.randomUUID().toString().replace("-", "");
        Instant now = clock.instant();
        Instant startAt = opts.startAt() != null && opts.startAt().isAfter(now) ? Times.roundUpToMicros(opts.startAt()) : null;
        String executionId = Ids.random();
        InstanceState state = InstanceState.builder().instanceId(instanceId).name(name).version(opts.version())
                .executionId(executionId).status(RuntimeStatus.PENDING).input(inputJson).createdAt(now)
                .lastUpdatedAt(now).scheduledStartAt(startAt).build();
        TraceContext trace = observer == TaskHubObserver.NONE ? opts.traceContext() : traceOf(name, instanceId, opts.traceContext());
        TaskMessage start = new TaskMessage(Ids.random(), instanceId, executionId,
                new HistoryEvent.ExecutionStarted(-1, now, name, opts.version(), inputJson, executionId, null, startAt, trace), startAt);
        try {
            provider.createInstance(state, start, opts.idReusePolicy().replaceableStatuses());
        } catch (InstanceAlreadyExistsException e) {
            if (opts.idReusePolicy() == IdReusePolicy.KEEP_IF_ACTIVE) {
                return instanceId;
            }
            throw e;
        }
        return instanceId;
    }

    private TraceContext traceOf(String name, String instanceId, TraceContext parent) {
        try {
            TraceContext traced = observer.orchestrationScheduling(name, instanceId, parent);
            return traced != null ? traced : parent;
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(TaskHubClient.class).warn("Observer {} failed; the start goes ahead untraced: {}", observer,
                    e.toString(), e);
            return parent;
        }
    }

    // ---- status ------------------------------------------------------------------------------------------------

    public Optional<OrchestrationMetadata> getInstanceMetadata(String instanceId, boolean showInput) {
        return getInstanceMetadata(instanceId, showInput, false, false);
    }

    /**
     * The status of an instance, empty when it does not exist. With {@code showHistory}, the history of the current
     * execution; activity and sub-orchestration results in it only with {@code showHistoryOutput}.
     */
    public Optional<OrchestrationMetadata> getInstanceMetadata(String instanceId, boolean showInput, boolean showHistory,
                                                               boolean showHistoryOutput) {
        requireId(instanceId);
        return provider.getInstance(instanceId).map(state -> {
            List<HistoryEvent> history = null;
            if (showHistory) {
                history = provider.getHistory(instanceId);
                if (!showHistoryOutput) {
                    history = history.stream().map(TaskHubClient::withoutOutput).toList();
                }
            }
            OrchestrationMetadata.Builder shown = metadata(state);
            return (showInput ? shown : shown.serializedInput(null)).historyEvents(history).build();
        });
    }

    /** The metadata users see of a stored state. */
    private OrchestrationMetadata.Builder metadata(InstanceState state) {
        return OrchestrationMetadata.builder().dataConverter(converter).instanceId(state.instanceId()).name(state.name()).version(state.version())
                .executionId(state.executionId()).runtimeStatus(state.status()).serializedInput(state.input())
                .serializedOutput(state.output()).serializedCustomStatus(state.customStatus())
                .failureDetails(state.failureDetails()).createdAt(state.createdAt()).lastUpdatedAt(state.lastUpdatedAt())
                .scheduledStartAt(state.scheduledStartAt()).parentInstanceId(state.parentInstanceId());
    }

    /** The history of the instance's current execution, in order, with timestamps. */
    public List<HistoryEvent> getHistory(String instanceId) {
        require(instanceId);
        return provider.getHistory(instanceId);
    }

    /** One page of instances matching the query; pass {@link QueryResult#continuationToken()} on for the next page. */
    public QueryResult queryInstances(InstanceQuery query) {
        Objects.requireNonNull(query, "query");
        InstancePage page = provider.queryInstances(query);
        List<OrchestrationMetadata> instances = new ArrayList<>(page.instances().size());
        for (InstanceState state : page.instances()) {
            instances.add(metadata(query.fetchInputsAndOutputs() ? state : state.withoutPayloads()).build());
        }
        return new QueryResult(instances, page.continuationToken());
    }

    /**
     * How many instances match the query's filters (created range, statuses, id prefix), per orchestration name and
     * runtime status; the query's page size, token and payload flag are ignored. PostgreSQL keeps the counts (and
     * aggregates for created-range and prefix filters), the in-memory store counts in place, other stores page through
     * the matches (see docs/operations.md).
     */
    public InstanceCounts countInstances(InstanceQuery query) {
        Objects.requireNonNull(query, "query");
        return provider.countInstances(query);
    }

    /**
     * Checks the hub's health: one timed look for stuck instances ({@link #findStuckInstances} with
     * {@code pendingThreshold} as the threshold, counting up to {@link HubHealth#MAX_STUCK_COUNTED}) and one for
     * quarantine records. Never throws for a storage failure: that is {@code DOWN}, with the reason.
     */
    public HubHealth health(Duration pendingThreshold) {
        Duration threshold = pendingThreshold == null ? HubHealth.DEFAULT_PENDING_THRESHOLD : pendingThreshold;
        if (threshold.isNegative()) {
            throw new InvalidRequestException("The pending threshold must not be negative, got " + threshold + ".");
        }
        long started = System.nanoTime();
        StuckInstances stuck;
        QuarantinePage quarantined;
        Duration latency;
        try {
            stuck = provider.findStuckInstances(StuckQuery.builder().threshold(threshold).limit(HubHealth.MAX_STUCK_COUNTED).build(),
                    clock.instant());
            latency = Duration.ofNanos(System.nanoTime() - started);
            quarantined = provider.listQuarantineRecords(QuarantineQuery.builder().pageSize(HubHealth.MAX_STUCK_COUNTED).build());
        } catch (RuntimeException e) {
            return new HubHealth(HubHealth.Status.DOWN, null, 0, false, 0, 0, false, threshold, "The task hub's storage did not answer ("
                    + e.getClass().getSimpleName() + "). Check that it is running and reachable with the configured connection.");
        }
        long pending = stuck.count(StuckReason.PENDING);
        long all = stuck.instances().size();
        long records = quarantined.records().size();
        boolean moreRecords = quarantined.continuationToken() != null;
        List<String> problems = new ArrayList<>();
        String more = stuck.more() ? " or more" : "";
        if (pending > 0) {
            problems.add(pending + more + " instance(s) have been pending for longer than " + threshold + ": no worker picks "
                    + "them up. Check that workers with their orchestrators run against this task hub.");
        }
        if (all > pending) {
            problems.add((all - pending) + more + " instance(s) are stuck otherwise (overdue timers, locks past their lease or "
                    + "repeated failures for longer than " + threshold + "); list them with 'taskhub stuck'.");
        }
        if (records > 0) {
            problems.add(records + (moreRecords ? " or more" : "") + " quarantine record(s) hold poison messages; list them with "
                    + "'taskhub quarantine list', then replay or discard them.");
        }
        if (latency.compareTo(HubHealth.SLOW_STORAGE) > 0) {
            problems.add("The task hub's storage took " + latency.toMillis() + " ms to answer.");
        }
        HubHealth.Status status = problems.isEmpty() ? HubHealth.Status.UP : HubHealth.Status.DEGRADED;
        return new HubHealth(status, latency, pending, stuck.more(), all, records, moreRecords, threshold,
                problems.isEmpty() ? null : String.join(" ", problems));
    }

    // ---- stuck instances and quarantine ----------------------------------------------------------------------------

    /**
     * Instances held up for longer than the query's threshold, each with the reasons that apply (see
     * {@link StuckReason}) and the facts behind them, oldest first, at most the query's limit. What a provider can see
     * differs: the answer's {@code examined} lists the reasons it looked for (docs/operations.md, "Stuck instances").
     */
    public StuckInstances findStuckInstances(StuckQuery query) {
        return provider.findStuckInstances(Objects.requireNonNull(query, "query"), clock.instant());
    }

    /** One page of quarantine records (poison messages kept by the workers), oldest first. */
    public QuarantinePage listQuarantineRecords(QuarantineQuery query) {
        return provider.listQuarantineRecords(Objects.requireNonNull(query, "query"));
    }

    /** The quarantine record with this id, or empty. */
    public Optional<QuarantineRecord> getQuarantineRecord(String recordId) {
        return provider.getQuarantineRecord(requireRecordId(recordId));
    }

    /**
     * Puts a quarantine record's messages back to work and deletes the record: for an orchestration record, rewinds the
     * failed instance and sends the messages again (under ids derived from theirs); for an activity record, rewinds the failed
     * instance, which runs the activity again. Refused with {@link InvalidInstanceStateException} when the instance can do
     * nothing with them (see {@link QuarantineReplayer}); {@link QuarantineRecordNotFoundException} for an unknown id.
     */
    public QuarantineReplay replayQuarantineRecord(String recordId) {
        return new QuarantineReplayer(provider, clock).replay(requireRecordId(recordId));
    }

    /** Deletes a quarantine record (its messages are dropped for good); {@link QuarantineRecordNotFoundException} if unknown. */
    public void discardQuarantineRecord(String recordId) {
        if (!provider.deleteQuarantineRecord(requireRecordId(recordId))) {
            throw new QuarantineRecordNotFoundException(recordId);
        }
    }

    private static String requireRecordId(String recordId) {
        if (recordId == null || recordId.isBlank()) {
            throw new InvalidRequestException("The quarantine record id must not be empty; list the records to find it.");
        }
        return recordId.trim();
    }

    // ---- messages to instances ---------------------------------------------------------------------------------

    /**
     * Sends an event to a pending, running or suspended instance; it is buffered until the orchestrator waits for
     * that name. Unknown and finished instances are refused.
     */
    public void raiseEvent(String instanceId, String eventName, Object data) {
        if (eventName == null || eventName.isBlank()) {
            throw new InvalidRequestException("The event name must not be empty.");
        }
        String payload = payload(data, "event data");
        InstanceState state = require(instanceId);
        if (state.status().isTerminal()) {
            throw new InvalidInstanceStateException(instanceId, state.status(), "Instance '" + instanceId + "' is "
                    + state.status().wireName() + " and can no longer receive events.");
        }
        String messageId = Ids.random();
        send(instanceId, new HistoryEvent.EventRaised(-1, clock.instant(), eventName, payload, messageId), messageId);
        if (observer != TaskHubObserver.NONE) {
            try {
                observer.eventRaised(state.name(), instanceId, eventName);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(TaskHubClient.class).warn("Observer {} failed; ignored: {}", observer, e.toString(), e);
            }
        }
    }

    public void terminate(String instanceId, String reason) {
        terminate(instanceId, reason, false);
    }

    /**
     * Terminates an unfinished instance at its next await (at once when it is waiting); its status becomes TERMINATED
     * with the reason as output. With {@code recursive}, running sub-orchestrations are terminated too. Terminating a
     * finished instance is refused with {@link InvalidInstanceStateException}.
     */
    public void terminate(String instanceId, String reason, boolean recursive) {
        InstanceState state = requireActive(instanceId, "terminated");
        send(state.instanceId(), new HistoryEvent.ExecutionTerminated(-1, clock.instant(), reason, recursive), null);
    }

    /** Pauses an unfinished instance: it runs no episode until resumed; events that arrive meanwhile are kept. */
    public void suspend(String instanceId, String reason) {
        requireActive(instanceId, "suspended");
        send(instanceId, new HistoryEvent.ExecutionSuspended(-1, clock.instant(), reason), null);
    }

    /** Continues a suspended instance. Resuming an instance that is not suspended (but unfinished) does nothing. */
    public void resume(String instanceId, String reason) {
        requireActive(instanceId, "resumed");
        send(instanceId, new HistoryEvent.ExecutionResumed(-1, clock.instant(), reason), null);
    }

    /**
     * Returns a FAILED instance to RUNNING: failed activities and sub-orchestrations run again, succeeded ones do not,
     * and the history records the rewind. Any other status is refused.
     */
    public void rewind(String instanceId, String reason) {
        InstanceState state = require(instanceId);
        if (state.status() != RuntimeStatus.FAILED) {
            throw new InvalidInstanceStateException(instanceId, state.status(), "Only failed instances can be rewound; instance '"
                    + instanceId + "' is " + state.status().wireName() + ".");
        }
        // addressed to the failed execution: delivered again after that execution continued as new and failed
        // once more, it must not rewind the later one
        provider.sendOrchestrationMessage(new TaskMessage(Ids.random(), instanceId, state.executionId(),
                new HistoryEvent.ExecutionRewound(-1, clock.instant(), reason), null));
    }

    /**
     * Starts the instance again with its original input, under the same id (refused while it still runs) or a new
     * random id. Returns the id of the new run.
     */
    public String restart(String instanceId, boolean restartWithNewInstanceId) {
        InstanceState state = require(instanceId);
        NewOrchestrationOptions options = NewOrchestrationOptions.builder()
                .instanceId(restartWithNewInstanceId ? null : instanceId).version(state.version())
                .idReusePolicy(IdReusePolicy.REPLACE_IF_FINISHED).build();
        // The stored input is passed on as it is: it was written by the converter already.
        return schedule(state.name(), state.input(), options);
    }

    // ---- waiting -----------------------------------------------------------------------------------------------

    public OrchestrationMetadata waitForInstanceStart(String instanceId, Duration timeout) {
        return waitFor(instanceId, timeout, DEFAULT_RETRY_INTERVAL, s -> s != RuntimeStatus.PENDING);
    }

    public OrchestrationMetadata waitForInstanceCompletion(String instanceId, Duration timeout) {
        return waitForInstanceCompletion(instanceId, timeout, DEFAULT_RETRY_INTERVAL);
    }

    /**
     * Waits until the instance finishes or the timeout elapses, checking at most every {@code retryInterval}, and
     * returns its status with input and output: completed when it finished in time, else the current status.
     */
    public OrchestrationMetadata waitForInstanceCompletion(String instanceId, Duration timeout, Duration retryInterval) {
        return waitFor(instanceId, timeout, retryInterval, RuntimeStatus::isTerminal);
    }

    private OrchestrationMetadata waitFor(String instanceId, Duration timeout, Duration retryInterval,
                                          java.util.function.Predicate<RuntimeStatus> done) {
        if (timeout == null || timeout.isNegative()) {
            throw new InvalidRequestException("The timeout must not be negative.");
        }
        if (retryInterval == null || retryInterval.isNegative() || retryInterval.isZero()) {
            throw new InvalidRequestException("The retry interval must be positive.");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleepMillis = Math.min(5, retryInterval.toMillis());
        while (true) {
            OrchestrationMetadata metadata = getInstanceMetadata(instanceId, true)
                    .orElseThrow(() -> new InstanceNotFoundException(instanceId));
            long remaining = deadline - System.nanoTime();
            if (done.test(metadata.runtimeStatus()) || remaining <= 0) {
                return metadata;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(sleepMillis, remaining / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return metadata;
            }
            // Poll quickly at first so short orchestrations return promptly, then back off to the retry interval.
            sleepMillis = Math.min(retryInterval.toMillis(), Math.max(sleepMillis + 1, sleepMillis * 3 / 2));
        }
    }

    // ---- purge and task hub ------------------------------------------------------------------------------------

    /** Deletes a finished instance with its history and pending messages. Returns 1. */
    public long purgeInstance(String instanceId) {
        InstanceState state = require(instanceId);
        if (!state.status().isTerminal()) {
            throw new InvalidInstanceStateException(instanceId, state.status(), "Instance '" + instanceId + "' is "
                    + state.status().wireName() + "; only finished instances can be purged. Terminate it first.");
        }
        return provider.purgeInstance(instanceId) ? 1 : 0;
    }

    /** Deletes every finished instance matching the criteria; returns how many. */
    public long purgeInstances(PurgeCriteria criteria) {
        return provider.purgeInstances(Objects.requireNonNull(criteria, "criteria"));
    }

    // ---- retention -----------------------------------------------------------------------------------------------

    /** The task hub's retention policies, by status and then name (the policy for every name first). */
    public List<RetentionPolicy> getRetentionPolicies() {
        return provider.retentionPolicies();
    }

    /**
     * Adds the retention policy, or replaces the hub's policy of the same status and orchestration name. Workers apply
     * it from their next pass on (see {@link RetentionEnforcer}); a shorter age than before purges the older instances
     * then.
     */
    public void setRetentionPolicy(RetentionPolicy policy) {
        provider.putRetentionPolicy(Objects.requireNonNull(policy, "policy"));
    }

    /**
     * Removes the retention policy of this terminal status and orchestration name (null: the policy for every name);
     * returns whether there was one.
     */
    public boolean removeRetentionPolicy(RuntimeStatus status, String orchestrationName) {
        RetentionPolicy.requireTerminal(status);
        if (orchestrationName != null && orchestrationName.isBlank()) {
            throw new InvalidRequestException("The orchestration name must not be blank; pass null for the policy that covers every name.");
        }
        return provider.removeRetentionPolicy(status, orchestrationName);
    }

    /**
     * Runs one retention pass now, as workers do every {@code WorkerOptions.retentionInterval()}: purges, for each
     * policy, at most {@link RetentionEnforcer#DEFAULT_LIMIT_PER_POLICY} instances that finished longer ago than its
     * age, measured on this client's clock.
     */
    public RetentionReport applyRetentionPolicies() {
        return applyRetentionPolicies(RetentionEnforcer.DEFAULT_LIMIT_PER_POLICY);
    }

    /** {@link #applyRetentionPolicies()} with at most {@code limitPerPolicy} instances purged per policy. */
    public RetentionReport applyRetentionPolicies(int limitPerPolicy) {
        return new RetentionEnforcer(provider, clock).runOnce(limitPerPolicy);
    }

    // ---- task hub ------------------------------------------------------------------------------------------------

    public void createTaskHub() {
        provider.createTaskHub();
    }

    public void deleteTaskHub() {
        provider.deleteTaskHub();
    }

    // ---- HTTP management payload -------------------------------------------------------------------------------

    /** The management URLs of an instance, as Durable Functions' {@code CreateHttpManagementPayload} returns them. */
    public HttpManagementPayload createHttpManagementPayload(String instanceId) {
        return createHttpManagementPayload(instanceId, http);
    }

    /**
     * The management URLs of an instance for a server other than the configured one (e.g. the host a request named).
     * Built from the route table ({@link ManagementRoute}).
     */
    public HttpManagementPayload createHttpManagementPayload(String instanceId, HttpManagementOptions http) {
        requireId(instanceId);
        Objects.requireNonNull(http, "http");
        Map<String, String> common = new LinkedHashMap<>();
        common.put(ManagementRoute.TASK_HUB_PARAMETER, http.taskHub());
        common.put(ManagementRoute.CONNECTION_PARAMETER, http.connectionName());
        if (http.systemKey() != null && !http.systemKey().isEmpty()) {
            common.put(ManagementRoute.KEY_PARAMETER, http.systemKey());
        }
        String base = http.baseUrl();
        return new HttpManagementPayload(instanceId,
                base + ManagementRoute.GET_STATUS.path(instanceId) + "?" + ManagementRoute.GET_STATUS.query(common),
                base + ManagementRoute.RAISE_EVENT.path(Map.of("id", instanceId)) + "?" + ManagementRoute.RAISE_EVENT.query(common),
                withReason(base, ManagementRoute.TERMINATE, instanceId, common),
                withReason(base, ManagementRoute.REWIND, instanceId, common),
                base + ManagementRoute.PURGE_INSTANCE.path(instanceId) + "?" + ManagementRoute.PURGE_INSTANCE.query(common),
                base + ManagementRoute.RESTART.path(instanceId) + "?" + ManagementRoute.RESTART.query(common),
                withReason(base, ManagementRoute.SUSPEND, instanceId, common),
                withReason(base, ManagementRoute.RESUME, instanceId, common));
    }

    /** A payload URL whose {@code reason} is the placeholder {@code {text}}, as in Durable Functions. */
    private static String withReason(String base, ManagementRoute route, String instanceId, Map<String, String> common) {
        return base + route.path(instanceId) + "?" + route.queryParameter("reason") + "={text}&" + route.query(common);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private void send(String instanceId, HistoryEvent event, String messageId) {
        provider.sendOrchestrationMessage(new TaskMessage(messageId != null ? messageId : Ids.random(),
                instanceId, null, event, null));
    }

    private InstanceState requireActive(String instanceId, String verb) {
        InstanceState state = require(instanceId);
        if (state.status().isTerminal()) {
            throw new InvalidInstanceStateException(instanceId, state.status(), "Instance '" + instanceId + "' is already "
                    + state.status().wireName() + " and cannot be " + verb + ".");
        }
        return state;
    }

    private InstanceState require(String instanceId) {
        requireId(instanceId);
        return provider.getInstance(instanceId).orElseThrow(() -> new InstanceNotFoundException(instanceId));
    }

    private static void requireId(String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            throw new InvalidRequestException("The instance id must not be empty.");
        }
    }

    private String payload(Object value, String what) {
        String text = value instanceof RawJson raw ? raw.json() : converter.serialize(value);
        if (text != null && text.length() > MAX_PAYLOAD_CHARS) {
            throw new InvalidRequestException("The " + what + " is " + text.length() + " characters when stored; the limit is "
                    + MAX_PAYLOAD_CHARS + ". Store large data elsewhere and pass a reference.");
        }
        return text;
    }

    private static HistoryEvent withoutOutput(HistoryEvent e) {
        if (e instanceof HistoryEvent.TaskCompleted c) {
            return new HistoryEvent.TaskCompleted(c.eventId(), c.timestamp(), c.taskScheduledId(), null);
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCompleted c) {
            return new HistoryEvent.SubOrchestrationInstanceCompleted(c.eventId(), c.timestamp(), c.taskScheduledId(), null);
        } else if (e instanceof HistoryEvent.ExecutionCompleted c) {
            return new HistoryEvent.ExecutionCompleted(c.eventId(), c.timestamp(), c.status(), null, c.failureDetails());
        }
        return e;
    }
}

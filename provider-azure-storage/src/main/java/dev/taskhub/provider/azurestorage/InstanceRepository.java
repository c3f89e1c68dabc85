package dev.taskhub.provider.azurestorage;

import com.azure.core.http.rest.PagedResponse;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.rest.Response;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.TaskhubException;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.TaskMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The instance store, in the instances table: one row per instance (PartitionKey = escaped instance id, RowKey =
 * {@code ""}) with its state, the history version it reflects and the {@code ResetSeq} of its incarnation.
 *
 * <p>A create writes the row first (marked {@link #START_PENDING}) and then sends the start message; a replaced row is
 * written on its ETag and its history reset. Checkpoints write the row through {@link #writeRow} on the ETag read at
 * lock time, so a late writer never overwrites a newer state; a row left behind by a crash between history and row is
 * repaired from the history sentinel ({@link #repairRow}) when the instance is next locked. Pages follow the table's
 * key order (instance id) with the table's own continuation token.
 */
final class InstanceRepository {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceRepository.class);
    private static final DateTimeFormatter ODATA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String TOKEN_PREFIX = "az1|";

    /**
     * An instance row as read: the state, the history version it reflects, the ResetSeq of its incarnation, its ETag
     * and its raw properties (which name its payload blobs).
     */
    record InstanceRow(InstanceState state, long historyVersion, long resetSeq, String etag, Map<String, Object> props) {}

    private final TableClient instancesTable;
    private final HistoryRepository history;
    private final PayloadStore payloads;
    private final Enqueuer enqueuer;
    private final QuarantineBlobs quarantine;
    volatile TestHooks hooks = TestHooks.NONE;
    /** The longest a start can take between writing its row and sending its message (from the retry settings). */
    private volatile Duration startGrace;
    /** Allowance for the clocks of other processes when judging another process's start deadline. */
    private volatile Duration startClockMargin = Duration.ofMinutes(1);

    InstanceRepository(TableClient instancesTable, HistoryRepository history, PayloadStore payloads, Enqueuer enqueuer,
                       AzureSettings settings, QuarantineBlobs quarantine) {
        this.instancesTable = instancesTable;
        this.quarantine = quarantine;
        this.history = history;
        this.payloads = payloads;
        this.enqueuer = enqueuer;
        // resetting the history and sending the message, each with all its retries
        this.startGrace = settings.requestTimeout().plusSeconds(5).multipliedBy(2L * (settings.maxRetries() + 1));
    }

    /**
     * How long a start may take at most before its row counts as left behind, and the allowance for other processes'
     * clocks (tests shorten both).
     */
    void startGrace(Duration grace, Duration clockMargin) {
        this.startGrace = grace;
        this.startClockMargin = clockMargin;
    }

    InstanceRow readRow(String instanceId) {
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

    /** The row a successful {@link #writeRow} left: {@code props} and the columns it adds, with the ETag it answered. */
    static InstanceRow writtenRow(InstanceState state, Map<String, Object> props, long version, long resetSeq, String etag) {
        Map<String, Object> p = new LinkedHashMap<>(props);
        p.put("HistoryVersion", version);
        if (resetSeq > 0) {
            p.put("ResetSeq", resetSeq);
        }
        return new InstanceRow(state, version, resetSeq, etag, p);
    }

    private InstanceRow toRow(TableEntity e) {
        Map<String, Object> p = e.getProperties();
        return new InstanceRow(StateCodec.fromProps(p, "", payloads, true), StateCodec.lng(p, "HistoryVersion", -1),
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

    /**
     * Whether a conditional row write was applied (with the row's new ETag, null when the service did not report it) or
     * left alone because the row had moved on.
     */
    record RowWrite(boolean superseded, String etag) {
        static final RowWrite SUPERSEDED = new RowWrite(true, null);
    }

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
                    Response<Void> response;
                    if (expected == null) {
                        response = instancesTable.createEntityWithResponse(e, null, null);
                    } else {
                        e.addProperty("odata.etag", expected);
                        response = instancesTable.updateEntityWithResponse(e, TableEntityUpdateMode.REPLACE, true, null, null);
                    }
                    return new RowWrite(false, etag(response));
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

    /** The ETag a write answered with, or null (Azurite leaves the closing quote off a weak ETag: put back). */
    private static String etag(Response<Void> response) {
        String etag = response == null ? null : response.getHeaders().getValue(HttpHeaderName.ETAG);
        if (etag != null && etag.startsWith("W/\"") && !etag.endsWith("\"")) {
            etag = etag + "\"";
        }
        return etag;
    }

    /** Writes the sentinel's state copy to the instance row (conditionally, see {@link #writeRow}); returns the row now. */
    InstanceRow repairRow(String instanceId, Sentinel sentinel, InstanceRow row) {
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

    void create(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
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
            enqueuer.sendOrchestrationMessage(startMessage);
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
            Sentinel sentinel = history.readSentinel(id);
            boolean sentinelNewer = sentinelNewer(p, sentinel);
            RuntimeStatus status = freshestStatus(p, sentinel);
            // a marked row that no checkpoint has touched (a worker's write drops the marker), past its deadline
            boolean abandoned = !sentinelNewer && status == RuntimeStatus.PENDING && startAbandoned(StateCodec.str(p, START_PENDING));
            if (!abandoned && (replaceable == null || !replaceable.contains(status))) {
                throw new InstanceAlreadyExistsException(id, status);
            }
            // reflect the current history version, so a lock between this write and the reset does not "repair" the
            // new row from the old incarnation's sentinel; never -1, which tells a lock there is no sentinel to read
            // (the reset below creates one)
            row.addProperty("HistoryVersion", sentinel.exists() ? sentinel.version() : 0L);
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

    /** Whether the sentinel's state copy is newer than the row: a checkpoint's history went in but its row write did not (yet). */
    private static boolean sentinelNewer(Map<String, Object> rowProps, Sentinel sentinel) {
        return sentinel.exists() && sentinel.stateVersion() > StateCodec.lng(rowProps, "HistoryVersion", -1)
                && StateCodec.hasState(sentinel.properties(), Sentinel.STATE_PREFIX);
    }

    /** The instance's status judged on its freshest state: the sentinel's copy when that is newer than the row. */
    static RuntimeStatus freshestStatus(Map<String, Object> rowProps, Sentinel sentinel) {
        return RuntimeStatus.parse(sentinelNewer(rowProps, sentinel)
                ? StateCodec.str(sentinel.properties(), Sentinel.STATE_PREFIX + "RuntimeStatus")
                : StateCodec.str(rowProps, "RuntimeStatus"));
    }

    /**
     * The row of an imported instance, written after its history: state {@code props} reflecting history version
     * {@code version} (the sentinel's), as a new incarnation (a fresh {@code ResetSeq}, so late row writes and messages
     * of the replaced incarnation are recognised as old). Replaces the row with ETag {@code etag}, or inserts when
     * {@code etag} is null; a row that changed or appeared meanwhile is overwritten on its new ETag (the history,
     * written first on the sentinel's ETag, already belongs to the import).
     */
    void writeImportedRow(String instanceId, Map<String, Object> props, long version, String etag) {
        AzureErrors.run("writing imported instance '" + instanceId + "'", () -> {
            String expected = etag;
            for (int attempt = 0; ; attempt++) {
                TableEntity row = new TableEntity(Keys.tableKey(instanceId), "");
                props.forEach(row::addProperty);
                row.addProperty("HistoryVersion", version);
                row.addProperty("ResetSeq", Envelope.nextSeq());
                try {
                    if (expected == null) {
                        instancesTable.createEntity(row);
                    } else {
                        row.addProperty("odata.etag", expected);
                        instancesTable.updateEntityWithResponse(row, TableEntityUpdateMode.REPLACE, true, null, null);
                    }
                    return;
                } catch (RuntimeException e) {
                    int status = AzureErrors.status(e);
                    if ((status != 409 && status != 412 && status != 404) || attempt >= 5) {
                        throw e;
                    }
                }
                TableEntity now = rowEntity(instanceId);
                expected = now == null ? null : now.getETag();
            }
        });
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

    Optional<InstanceState> get(String instanceId) {
        InstanceRow row = readRow(instanceId);
        return row == null ? Optional.empty() : Optional.of(row.state());
    }

    InstancePage query(InstanceQuery query) {
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
                        InstanceRow now = readRow(StateCodec.str(e.getProperties(), "InstanceId"));
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

    boolean purge(String instanceId) {
        InstanceRow row = readRow(instanceId);
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
            quarantine.deleteInstance(instanceId);
            try {
                instancesTable.deleteEntity(Keys.tableKey(instanceId), "");
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) != 404) {
                    throw e;
                }
            }
        });
    }

    long purge(PurgeCriteria criteria) {
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
}

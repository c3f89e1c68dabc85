package dev.taskhub.provider.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.azure.data.tables.models.TableTransactionFailedException;
import dev.taskhub.convert.HistoryCodec;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.LeaseLostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The history store, in the history table: one partition per instance (PartitionKey = escaped instance id), one row
 * per event (RowKey = zero-padded sequence number) and the {@link Sentinel} row. Appends are table batch transactions,
 * each conditional on the sentinel (its ETag, or its fence row: see {@link #append}), so a stale writer is refused before
 * it writes anything.
 */
final class HistoryRepository {
    private static final Logger LOG = LoggerFactory.getLogger(HistoryRepository.class);
    private static final int MAX_BATCH = 100;
    private static final int MAX_BATCH_CHARS = 1_500_000;
    /** RowKeys of fence rows; they sort after the zero-padded sequence numbers and the sentinel. */
    static final String FENCE_PREFIX = "~fence-";

    private final TableClient table;
    private final PayloadStore payloads;
    volatile TestHooks hooks = TestHooks.NONE;

    HistoryRepository(TableClient table, PayloadStore payloads) {
        this.table = table;
        this.payloads = payloads;
    }

    Sentinel readSentinel(String instanceId) {
        return AzureErrors.call("reading the history sentinel of '" + instanceId + "'", () -> {
            try {
                return Sentinel.from(table.getEntity(Keys.tableKey(instanceId), Sentinel.ROW_KEY));
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) == 404) {
                    return Sentinel.EMPTY;
                }
                throw e;
            }
        });
    }

    List<HistoryEvent> read(String instanceId) {
        Sentinel s = readSentinel(instanceId);
        if (!s.exists() || s.nextSeq() <= s.firstSeq()) {
            return List.of();
        }
        String pk = Keys.tableKey(instanceId);
        String filter = "PartitionKey eq " + Keys.literal(pk) + " and RowKey ge " + Keys.literal(Keys.seqKey(s.firstSeq()))
                + " and RowKey lt " + Keys.literal(Keys.seqKey(s.nextSeq()));
        return AzureErrors.call("reading the history of '" + instanceId + "'", () -> {
            List<HistoryEvent> events = new ArrayList<>();
            for (TableEntity e : table.listEntities(new ListEntitiesOptions().setFilter(filter), null, null)) {
                String json = StateCodec.str(e.getProperties(), "Event");
                if (json == null) {
                    json = payloads.download(StateCodec.str(e.getProperties(), "EventBlob"));
                }
                events.add(parse(json));
            }
            return events;
        });
    }

    /**
     * Appends (or replaces the history with) {@code events}, records consumed message ids and the new state copy
     * ({@code stateProps}, unprefixed, or null to keep the old copy), and bumps the version — on condition that the
     * sentinel is still {@code old}.
     *
     * <p>The events go in table batches of at most 100 entities, and <em>every</em> batch carries a condition that
     * fails when another writer moved the sentinel on, so a stale writer fails at its first batch and writes nothing:
     * <ul>
     *   <li>When {@code old} was read (it has its ETag), the first batch carries the sentinel with that ETag. Earlier
     *       batches only touch the sentinel's ETag (a merge of the {@code Writer} token; rows beyond {@code NextSeq}
     *       are invisible to readers) and the ETag for the next batch is read back after each one, and used only if
     *       the sentinel still carries this batch's token (batch responses do not carry the new ETag).</li>
     *   <li>When {@code old} is what this worker wrote last (no ETag, see {@link EpisodeCache}), the single batch
     *       deletes the fence row {@code old} names: the batch fails as a whole when that row is gone. A longer append
     *       reads the sentinel first and goes the ETag way.</li>
     * </ul>
     * The last batch replaces the sentinel with the new range and a new fence row (deleting the old one), which makes
     * the whole append visible at once. So a sentinel and its fence row are always written together, and the fence
     * row of a state exists exactly as long as the sentinel is in that state.
     *
     * <p>Event payloads too large for a property are uploaded first, under unique names; their names are added to
     * {@code uploaded}.
     *
     * @return the sentinel as written (without ETag): what this worker's next append may start from
     * @throws LeaseLostException when another writer changed the history since {@code old}
     */
    Sentinel append(String instanceId, Sentinel old, List<HistoryEvent> events, boolean replace, List<String> consumedIds,
                    Map<String, Object> stateProps, List<String> uploaded) {
        String pk = Keys.tableKey(instanceId);
        long newVersion = old.version() + 1;
        long first = replace ? old.nextSeq() : old.firstSeq();
        long seq = old.nextSeq();
        List<TableTransactionAction> rows = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (HistoryEvent event : events) {
            TableEntity row = new TableEntity(pk, Keys.seqKey(seq));
            String json = json(event);
            row.addProperty("EventType", event.eventType());
            if (json.length() <= PayloadStore.MAX_PROPERTY_CHARS) {
                row.addProperty("Event", json);
            } else {
                String blob = Keys.blobFolder(instanceId) + "history/" + Keys.seqKey(seq) + "-" + UUID.randomUUID();
                payloads.upload(blob, json);
                uploaded.add(blob);
                row.addProperty("EventBlob", blob);
            }
            rows.add(new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE, row));
            sizes.add(Math.min(json.length(), PayloadStore.MAX_PROPERTY_CHARS) + 200);
            seq++;
        }
        String writer = UUID.randomUUID().toString();
        String fence = FENCE_PREFIX + writer;
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("Version", newVersion);
        props.put("FirstSeq", first);
        props.put("NextSeq", seq);
        props.put("Consumed", Sentinel.joinConsumed(replace ? java.util.Set.of() : old.consumed(), consumedIds));
        if (stateProps != null) {
            props.put("StateVersion", newVersion);
            props.putAll(StateCodec.prefixed(stateProps, Sentinel.STATE_PREFIX));
        } else {
            props.put("StateVersion", old.stateVersion());
            old.properties().forEach((k, v) -> {
                if (k.startsWith(Sentinel.STATE_PREFIX)) {
                    props.put(k, v);
                }
            });
        }
        props.put(Sentinel.FENCE, fence);
        int sentinelChars = 200;
        for (Object v : props.values()) {
            sentinelChars += String.valueOf(v).length() + 30;
        }
        List<List<TableTransactionAction>> chunks = new ArrayList<>();
        List<TableTransactionAction> current = new ArrayList<>();
        int chars = sentinelChars;
        for (int i = 0; i < rows.size(); i++) {
            // room for the sentinel and the two fence rows
            if (current.size() == MAX_BATCH - 3 || (!current.isEmpty() && chars + sizes.get(i) > MAX_BATCH_CHARS)) {
                chunks.add(current);
                current = new ArrayList<>();
                chars = sentinelChars;
            }
            current.add(rows.get(i));
            chars += sizes.get(i);
        }
        chunks.add(current);

        if (old.exists() && old.etag() == null && (chunks.size() > 1 || old.fence() == null)) {
            old = reread(instanceId, old);   // a remembered sentinel, and an append its fence alone cannot guard
        }
        String etag = old.etag();
        boolean fenced = old.exists() && etag == null;
        String oldFence = old.fence();
        boolean fenceMissing = false;
        for (int i = 0; i < chunks.size(); i++) {
            boolean last = i == chunks.size() - 1;
            String token = writer + ":" + i;
            List<TableTransactionAction> chunk = new ArrayList<>(chunks.get(i));
            TableEntity sentinel = new TableEntity(pk, Sentinel.ROW_KEY);
            TableTransactionActionType type;
            if (last) {
                props.forEach(sentinel::addProperty);
                type = etag == null && !fenced ? TableTransactionActionType.CREATE : TableTransactionActionType.UPDATE_REPLACE;
                chunk.add(new TableTransactionAction(TableTransactionActionType.CREATE, new TableEntity(pk, fence)));
                if (oldFence != null && !fenceMissing) {
                    chunk.add(new TableTransactionAction(TableTransactionActionType.DELETE, new TableEntity(pk, oldFence), false));
                }
            } else if (etag == null) {
                // no history yet: create an empty sentinel, so that another writer's create fails from now on
                sentinel.addProperty("Version", old.version());
                sentinel.addProperty("FirstSeq", old.firstSeq());
                sentinel.addProperty("NextSeq", old.nextSeq());
                sentinel.addProperty("Consumed", "");
                sentinel.addProperty("StateVersion", -1L);
                type = TableTransactionActionType.CREATE;
            } else {
                type = TableTransactionActionType.UPDATE_MERGE; // changes nothing readers see, only the ETag
            }
            sentinel.addProperty(Sentinel.WRITER, token);
            if (etag != null) {
                sentinel.addProperty("odata.etag", etag);
            }
            chunk.add(0, new TableTransactionAction(type, sentinel, etag != null));
            hooks.beforeHistoryBatch(instanceId, i, chunks.size());
            Sentinel after = null;
            try {
                table.submitTransaction(chunk);
            } catch (RuntimeException e) {
                if (!AzureErrors.isConflictOrPrecondition(e) && AzureErrors.status(e) != 404) {
                    throw AzureErrors.wrap("appending history for '" + instanceId + "'", e);
                }
                if (last && etag != null && !fenceMissing && failedOn(e, chunk, oldFence)) {
                    // the ETag guards this batch; a fence row lost outside this code (never written so) is not needed
                    LOG.warn("The fence row {} of '{}' was missing; appending on the sentinel's ETag alone", oldFence, instanceId);
                    fenceMissing = true;
                    i--;
                    continue;
                }
                // refused, unless it was the SDK's retry of this very batch after its first try had gone in
                after = readSentinel(instanceId);
                if (!token.equals(after.writer())) {
                    throw new LeaseLostException(instanceId, "The history of '" + instanceId + "' was changed by another worker "
                            + "since it was locked (version " + old.version() + (fenced ? ", fence " + oldFence : "")
                            + "); the checkpoint was not applied.");
                }
            }
            if (!last) {
                // the ETag for the next batch: read back, and only valid while the sentinel still carries our token
                after = after != null ? after : readSentinel(instanceId);
                if (!token.equals(after.writer())) {
                    throw new LeaseLostException(instanceId, "The history of '" + instanceId + "' was changed by another worker "
                            + "while this checkpoint was being written (version " + old.version() + "); the checkpoint was not applied.");
                }
                etag = after.etag();
            }
        }
        if (replace && old.nextSeq() > old.firstSeq()) {
            deleteRowsQuietly(pk, old.firstSeq(), old.nextSeq());
        }
        props.put(Sentinel.WRITER, writer + ":" + (chunks.size() - 1));
        return Sentinel.of(props, null);
    }

    /** Whether {@code batch} failed on its deletion of the fence row {@code fence}. */
    private static boolean failedOn(RuntimeException e, List<TableTransactionAction> batch, String fence) {
        if (fence == null || !(e instanceof TableTransactionFailedException failed) || failed.getFailedTransactionActionIndex() == null) {
            return false;
        }
        int i = failed.getFailedTransactionActionIndex();
        return i >= 0 && i < batch.size() && batch.get(i).getActionType() == TableTransactionActionType.DELETE
                && fence.equals(batch.get(i).getEntity().getRowKey());
    }

    /** The sentinel as stored, on condition that it is still the remembered {@code known} (same version and fence). */
    private Sentinel reread(String instanceId, Sentinel known) {
        Sentinel now = readSentinel(instanceId);
        if (!now.exists() || now.version() != known.version() || !Objects.equals(now.fence(), known.fence())) {
            throw new LeaseLostException(instanceId, "The history of '" + instanceId + "' was changed by another worker since this "
                    + "worker last wrote it (version " + known.version() + ", now " + (now.exists() ? now.version() : "none")
                    + "); the checkpoint was not applied.");
        }
        return now;
    }

    /**
     * Starts a new history generation for a replaced instance: bumps the version (so cached histories are not reused)
     * and empties the history, keeping the sequence going. Conditional on the sentinel's ETag, so a worker that
     * locked the old generation cannot append to the new one; where there was no sentinel, an empty one is created
     * for the same reason. {@code known} is the sentinel as last read (re-read on a conflict).
     */
    void reset(String instanceId, Sentinel known) {
        String pk = Keys.tableKey(instanceId);
        Sentinel old = known;
        for (int attempt = 0; ; attempt++) {
            List<TableTransactionAction> submitted = List.of();
            TableEntity sentinel = new TableEntity(pk, Sentinel.ROW_KEY);
            sentinel.addProperty("Version", old.version() + 1);
            sentinel.addProperty("FirstSeq", old.nextSeq());
            sentinel.addProperty("NextSeq", old.nextSeq());
            sentinel.addProperty("Consumed", "");
            sentinel.addProperty("StateVersion", -1L);
            try {
                if (old.etag() != null) {
                    // the old state's fence row goes with it: a worker that remembers that state cannot append
                    sentinel.addProperty("odata.etag", old.etag());
                    List<TableTransactionAction> batch = new ArrayList<>();
                    batch.add(new TableTransactionAction(TableTransactionActionType.UPDATE_REPLACE, sentinel, true));
                    if (old.fence() != null) {
                        batch.add(new TableTransactionAction(TableTransactionActionType.DELETE, new TableEntity(pk, old.fence()), false));
                    }
                    submitted = batch;
                    table.submitTransaction(batch);
                } else {
                    table.createEntity(sentinel);
                }
                break;
            } catch (RuntimeException e) {
                int status = AzureErrors.status(e);
                if ((status != 412 && status != 409 && status != 404) || attempt >= 5) {
                    throw AzureErrors.wrap("resetting the history of '" + instanceId + "'", e);
                }
                Sentinel now = readSentinel(instanceId);
                if (failedOn(e, submitted, old.fence()) && now.exists() && old.etag().equals(now.etag())) {
                    LOG.warn("The fence row {} of '{}' was missing; resetting on the sentinel's ETag alone", old.fence(), instanceId);
                    Map<String, Object> props = new LinkedHashMap<>(now.properties());
                    props.remove(Sentinel.FENCE);
                    now = Sentinel.of(props, now.etag());
                }
                old = now;
            }
        }
        if (old.nextSeq() > old.firstSeq()) {
            deleteRowsQuietly(pk, old.firstSeq(), old.nextSeq());
        }
    }

    /** Deletes every row of the instance, sentinel included. */
    void deleteAll(String instanceId) {
        String pk = Keys.tableKey(instanceId);
        AzureErrors.run("deleting the history of '" + instanceId + "'", () -> {
            List<TableEntity> keys = new ArrayList<>();
            for (TableEntity e : table.listEntities(new ListEntitiesOptions().setFilter("PartitionKey eq " + Keys.literal(pk))
                    .setSelect(List.of("PartitionKey", "RowKey")), null, null)) {
                keys.add(e);
            }
            deleteInBatches(keys);
        });
    }

    private void deleteRowsQuietly(String pk, long from, long to) {
        try {
            List<TableEntity> keys = new ArrayList<>();
            for (long s = from; s < to; s++) {
                keys.add(new TableEntity(pk, Keys.seqKey(s)));
            }
            deleteInBatches(keys);
        } catch (RuntimeException ignored) {
            // rows outside [FirstSeq, NextSeq) are never read; purge removes them
        }
    }

    private void deleteInBatches(List<TableEntity> keys) {
        for (int i = 0; i < keys.size(); i += MAX_BATCH) {
            List<TableTransactionAction> batch = new ArrayList<>();
            for (TableEntity e : keys.subList(i, Math.min(keys.size(), i + MAX_BATCH))) {
                batch.add(new TableTransactionAction(TableTransactionActionType.DELETE, new TableEntity(e.getPartitionKey(), e.getRowKey())));
            }
            try {
                table.submitTransaction(batch);
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) != 404) {
                    throw e;
                }
                // some rows were already gone: delete one by one
                for (TableTransactionAction a : batch) {
                    try {
                        table.deleteEntity(a.getEntity().getPartitionKey(), a.getEntity().getRowKey());
                    } catch (RuntimeException ex) {
                        if (AzureErrors.status(ex) != 404) {
                            throw ex;
                        }
                    }
                }
            }
        }
    }

    static String json(HistoryEvent event) {
        return HistoryCodec.encode(event);
    }

    static HistoryEvent parse(String json) {
        return HistoryCodec.decode(json);
    }
}

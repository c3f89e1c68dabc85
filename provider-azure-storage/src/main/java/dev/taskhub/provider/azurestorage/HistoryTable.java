package dev.taskhub.provider.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableTransactionAction;
import com.azure.data.tables.models.TableTransactionActionType;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.taskhub.StorageException;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.internal.JsonDataConverter;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.LeaseLostException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The history table: one partition per instance (PartitionKey = escaped instance id), one row per event
 * (RowKey = zero-padded sequence number) and the {@link Sentinel} row. Appends are table batch transactions with an
 * ETag condition on the sentinel, so a stale writer is refused atomically.
 */
final class HistoryTable {
    private static final int MAX_BATCH = 100;
    private static final int MAX_BATCH_CHARS = 1_500_000;

    private final TableClient table;
    private final PayloadStore payloads;

    HistoryTable(TableClient table, PayloadStore payloads) {
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
     * Appends (or replaces the history with) {@code events}, records consumed message ids and the new state copy, and
     * bumps the version, on condition that the sentinel is unchanged since {@code old} was read.
     *
     * @return the new sentinel version
     * @throws LeaseLostException when another writer changed the history since
     */
    long append(String instanceId, Sentinel old, List<HistoryEvent> events, boolean replace, List<String> consumedIds,
                InstanceState state) {
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
                String blob = Keys.blobFolder(instanceId) + "history/" + Keys.seqKey(seq);
                payloads.upload(blob, json);
                row.addProperty("EventBlob", blob);
            }
            rows.add(new TableTransactionAction(TableTransactionActionType.UPSERT_REPLACE, row));
            sizes.add(Math.min(json.length(), PayloadStore.MAX_PROPERTY_CHARS) + 200);
            seq++;
        }
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("Version", newVersion);
        props.put("FirstSeq", first);
        props.put("NextSeq", seq);
        props.put("Consumed", Sentinel.joinConsumed(replace ? java.util.Set.of() : old.consumed(), consumedIds));
        if (state != null) {
            props.put("StateVersion", newVersion);
            props.putAll(StateCodec.toProps(state, Sentinel.STATE_PREFIX, payloads));
        } else {
            props.put("StateVersion", old.stateVersion());
            old.properties().forEach((k, v) -> {
                if (k.startsWith(Sentinel.STATE_PREFIX)) {
                    props.put(k, v);
                }
            });
        }
        TableEntity sentinel = new TableEntity(pk, Sentinel.ROW_KEY);
        props.forEach(sentinel::addProperty);
        TableTransactionAction sentinelAction;
        if (old.exists()) {
            sentinel.addProperty("odata.etag", old.etag());
            sentinelAction = new TableTransactionAction(TableTransactionActionType.UPDATE_REPLACE, sentinel, true);
        } else {
            sentinelAction = new TableTransactionAction(TableTransactionActionType.CREATE, sentinel);
        }
        // Rows beyond the sentinel's NextSeq are invisible to readers, so earlier chunks may land first; the last
        // chunk carries the conditional sentinel update that makes the whole append visible at once.
        List<List<TableTransactionAction>> chunks = new ArrayList<>();
        List<TableTransactionAction> current = new ArrayList<>();
        int chars = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (current.size() == MAX_BATCH - 1 || chars + sizes.get(i) > MAX_BATCH_CHARS) {
                chunks.add(current);
                current = new ArrayList<>();
                chars = 0;
            }
            current.add(rows.get(i));
            chars += sizes.get(i);
        }
        current.add(0, sentinelAction);
        chunks.add(current);
        for (int i = 0; i < chunks.size(); i++) {
            List<TableTransactionAction> chunk = chunks.get(i);
            try {
                table.submitTransaction(chunk);
            } catch (RuntimeException e) {
                if (AzureErrors.isConflictOrPrecondition(e) || AzureErrors.status(e) == 404) {
                    throw new LeaseLostException(instanceId, "The history of '" + instanceId + "' was changed by another worker "
                            + "since it was locked (version " + old.version() + "); the checkpoint was not applied.");
                }
                throw AzureErrors.wrap("appending history for '" + instanceId + "'", e);
            }
        }
        if (replace && old.nextSeq() > old.firstSeq()) {
            deleteRowsQuietly(pk, old.firstSeq(), old.nextSeq());
        }
        return newVersion;
    }

    /**
     * Starts a new history generation for a replaced instance: bumps the version (so cached histories are not reused)
     * and empties the history, keeping the sequence going.
     */
    void reset(String instanceId) {
        Sentinel old = readSentinel(instanceId);
        if (!old.exists()) {
            return;
        }
        String pk = Keys.tableKey(instanceId);
        TableEntity sentinel = new TableEntity(pk, Sentinel.ROW_KEY);
        sentinel.addProperty("Version", old.version() + 1);
        sentinel.addProperty("FirstSeq", old.nextSeq());
        sentinel.addProperty("NextSeq", old.nextSeq());
        sentinel.addProperty("Consumed", "");
        sentinel.addProperty("StateVersion", -1L);
        AzureErrors.run("resetting the history of '" + instanceId + "'", () -> table.upsertEntity(sentinel));
        deleteRowsQuietly(pk, old.firstSeq(), old.nextSeq());
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
        try {
            return JsonDataConverter.DEFAULT.mapper().writerFor(HistoryEvent.class).writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new StorageException("Cannot serialise a history event: " + e.getOriginalMessage(), e);
        }
    }

    static HistoryEvent parse(String json) {
        try {
            return JsonDataConverter.DEFAULT.mapper().readValue(json, HistoryEvent.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("A stored history event is not readable: " + e.getOriginalMessage(), e);
        }
    }
}

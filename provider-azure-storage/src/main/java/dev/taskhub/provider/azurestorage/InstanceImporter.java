package dev.taskhub.provider.azurestorage;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.TaskhubException;
import dev.taskhub.provider.azurestorage.InstanceRepository.InstanceRow;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.InstanceImport;
import dev.taskhub.spi.TaskMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an imported instance the way a checkpoint would have left it, in the order that keeps every step visible only
 * when it is consistent (there is no transaction across tables and queues):
 *
 * <ol>
 *   <li>check the id reuse policy on the freshest state (as {@code createInstance} does) and upload large state
 *       payloads under new blob names;</li>
 *   <li>write the history as one {@link HistoryRepository#append} replacing whatever history the id had, conditional on
 *       the sentinel's ETag (a worker still holding a replaced incarnation is refused from then on); the sentinel gets
 *       the new range, a fresh version and the state copy, as after a checkpoint;</li>
 *   <li>write the instance row with that history version and a new {@code ResetSeq} (a crash before this leaves a
 *       sentinel whose state copy repairs the row at the next lock, as after a checkpoint);</li>
 *   <li>send the messages and activity requests that make the instance continue (after the row, so no worker takes them
 *       for messages to an unknown instance).</li>
 * </ol>
 *
 * A failure in 4 leaves the instance imported without some of its messages; the import reports the line as failed,
 * and importing it again with {@code ALWAYS_REPLACE} repairs it. Thread-safe.
 */
final class InstanceImporter {
    private final InstanceRepository instances;
    private final HistoryRepository history;
    private final Enqueuer enqueuer;
    private final PayloadStore payloads;

    InstanceImporter(InstanceRepository instances, HistoryRepository history, Enqueuer enqueuer, PayloadStore payloads) {
        this.instances = instances;
        this.history = history;
        this.enqueuer = enqueuer;
        this.payloads = payloads;
    }

    boolean importInstance(InstanceImport instance, Set<RuntimeStatus> replaceable) {
        String id = instance.instanceId();
        InstanceRow row = instances.readRow(id);
        Sentinel sentinel = history.readSentinel(id);
        if (row != null) {
            RuntimeStatus status = InstanceRepository.freshestStatus(row.props(), sentinel);
            if (!replaceable.contains(status)) {
                throw new InstanceAlreadyExistsException(id, status);
            }
        }
        List<String> uploaded = new ArrayList<>();
        Map<String, Object> props;
        long version;
        try {
            props = AzureErrors.call("importing instance '" + id + "'", () -> StateCodec.encode(instance.state(), payloads, null, null, uploaded));
            version = history.append(id, sentinel, instance.history(), true, List.of(), props, uploaded).version();
        } catch (RuntimeException e) {
            uploaded.forEach(payloads::deleteQuietly);   // nothing refers to them
            throw e instanceof TaskhubException te ? te : AzureErrors.wrap("importing instance '" + id + "'", e);
        }
        instances.writeImportedRow(id, props, version, row == null ? null : row.etag());
        for (ActivityRequest request : instance.activityRequests()) {
            enqueuer.sendActivity(request);
        }
        for (TaskMessage message : instance.orchestrationMessages()) {
            enqueuer.sendOrchestrationMessage(message);
        }
        return row != null;
    }
}

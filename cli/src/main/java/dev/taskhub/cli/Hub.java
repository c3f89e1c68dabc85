package dev.taskhub.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.RawJson;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.PurgeCriteria;

import java.time.Instant;
import java.util.Set;

/**
 * The management operations the subcommands need, answered in the HTTP API's wire format: either on the task hub's
 * storage directly ({@link LocalHub}) or through a running HTTP management API ({@link RemoteHub}).
 */
interface Hub extends AutoCloseable {
    /** A page request of get-instances. */
    record ListRequest(Instant createdFrom, Instant createdTo, Set<RuntimeStatus> statuses, int top, String continuationToken,
                       boolean showInput) {}

    /** One page: status objects and the token of the next page (null when none). */
    record Page(ArrayNode instances, String continuationToken) {}

    String taskHubName();

    /** Starts an instance; returns the management payload (its {@code id} is the instance id). */
    ObjectNode start(String name, RawJson input, String instanceId);

    /** The status object; refuses an unknown instance. */
    ObjectNode status(String instanceId, boolean showInput);

    /** The history events of the current execution, with results. */
    ArrayNode history(String instanceId);

    Page list(ListRequest request);

    void raiseEvent(String instanceId, String eventName, RawJson data);

    void terminate(String instanceId, String reason);

    void suspend(String instanceId, String reason);

    void resume(String instanceId, String reason);

    void rewind(String instanceId, String reason);

    /** Restarts; returns the management payload of the new run. */
    ObjectNode restart(String instanceId, boolean newInstanceId);

    long purgeInstance(String instanceId);

    long purgeInstances(PurgeCriteria criteria);

    void deleteTaskHub();

    @Override
    void close();
}

package dev.taskhub.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.RawJson;
import dev.taskhub.client.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.PurgeCriteria;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.WireFormat;

/** The operations on the task hub's storage, through a {@link TaskHubClient}. */
final class LocalHub implements Hub {
    private final Session session;
    private final TaskHubClient client;

    LocalHub(Session session) {
        this.session = session;
        this.client = session.client;
    }

    @Override
    public String taskHubName() {
        return session.provider.taskHubName();
    }

    @Override
    public ObjectNode start(String name, RawJson input, String instanceId) {
        NewOrchestrationOptions options = instanceId == null ? NewOrchestrationOptions.defaults()
                : NewOrchestrationOptions.withInstanceId(instanceId);
        String id = client.scheduleNewOrchestrationInstance(name, input, options);
        return WireFormat.payload(client.createHttpManagementPayload(id));
    }

    @Override
    public ObjectNode status(String instanceId, boolean showInput) {
        return WireFormat.status(client.getInstanceMetadata(instanceId, showInput)
                .orElseThrow(() -> new InstanceNotFoundException(instanceId)), false);
    }

    @Override
    public ArrayNode history(String instanceId) {
        return WireFormat.history(client.getHistory(instanceId), true);
    }

    @Override
    public Page list(ListRequest r) {
        QueryResult page = client.queryInstances(InstanceQuery.builder().createdFrom(r.createdFrom()).createdTo(r.createdTo())
                .statuses(r.statuses()).pageSize(r.top()).continuationToken(r.continuationToken())
                .fetchInputsAndOutputs(r.showInput()).build());
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        page.instances().forEach(m -> array.add(WireFormat.status(m, false)));
        return new Page(array, page.continuationToken());
    }

    @Override
    public void raiseEvent(String instanceId, String eventName, RawJson data) {
        client.raiseEvent(instanceId, eventName, data);
    }

    @Override
    public void terminate(String instanceId, String reason) {
        client.terminate(instanceId, reason);
    }

    @Override
    public void suspend(String instanceId, String reason) {
        client.suspend(instanceId, reason);
    }

    @Override
    public void resume(String instanceId, String reason) {
        client.resume(instanceId, reason);
    }

    @Override
    public void rewind(String instanceId, String reason) {
        client.rewind(instanceId, reason);
    }

    @Override
    public ObjectNode restart(String instanceId, boolean newInstanceId) {
        return WireFormat.payload(client.createHttpManagementPayload(client.restart(instanceId, newInstanceId)));
    }

    @Override
    public long purgeInstance(String instanceId) {
        long deleted = client.purgeInstance(instanceId);
        if (deleted == 0) {
            throw new InstanceNotFoundException(instanceId);
        }
        return deleted;
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        return client.purgeInstances(criteria);
    }

    @Override
    public void deleteTaskHub() {
        client.deleteTaskHub();
    }

    @Override
    public void close() {
        session.close();
    }
}

package dev.taskhub.cli;

import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.RawJson;
import dev.taskhub.QuarantineRecordNotFoundException;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantineReplay;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.RetentionReport;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.HubHealth;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.jobs.BulkJob;
import dev.taskhub.jobs.BulkJobRequest;
import dev.taskhub.jobs.BulkJobs;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.transfer.ExportSummary;
import dev.taskhub.transfer.ImportSummary;
import dev.taskhub.transfer.InstanceTransfer;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.io.Writer;
import java.util.function.LongConsumer;

import java.util.List;

/** The operations on the task hub's storage, through a {@link TaskHubClient}. */
final class LocalHub implements Hub {
    private final Session session;
    private final TaskHubClient client;

    private final BulkJobs jobs;

    LocalHub(Session session) {
        this.session = session;
        this.client = session.client;
        this.jobs = new BulkJobs(client);
    }

    @Override
    public String taskHubName() {
        return session.provider.taskHubName();
    }

    @Override
    public HttpManagementPayload start(String name, RawJson input, String instanceId) {
        NewOrchestrationOptions options = instanceId == null ? NewOrchestrationOptions.defaults()
                : NewOrchestrationOptions.withInstanceId(instanceId);
        String id = client.scheduleNewOrchestrationInstance(name, input, options);
        return client.createHttpManagementPayload(id);
    }

    @Override
    public OrchestrationMetadata status(String instanceId, boolean showInput) {
        return client.getInstanceMetadata(instanceId, showInput).orElseThrow(() -> new InstanceNotFoundException(instanceId));
    }

    @Override
    public List<HistoryEvent> history(String instanceId) {
        return client.getHistory(instanceId);
    }

    @Override
    public QueryResult list(InstanceQuery query) {
        return client.queryInstances(query);
    }

    @Override
    public HubHealth health() {
        return client.health(null);
    }

    @Override
    public InstanceCounts count(InstanceQuery query) {
        return client.countInstances(query);
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
    public HttpManagementPayload restart(String instanceId, boolean newInstanceId) {
        return client.createHttpManagementPayload(client.restart(instanceId, newInstanceId));
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
    public long dryRunJob(BulkJobRequest request) {
        return jobs.dryRun(request);
    }

    @Override
    public BulkJob startJob(BulkJobRequest request) {
        return jobs.start(request);
    }

    @Override
    public BulkJob job(String jobId) {
        return jobs.get(jobId).orElseThrow(() -> new InvalidRequestException("There is no bulk job '" + jobId
                + "'. List the jobs with 'taskhub jobs list'."));
    }

    @Override
    public List<BulkJob> jobs() {
        return jobs.list();
    }

    @Override
    public BulkJob changeJob(String jobId, JobChange change) {
        return switch (change) {
            case CANCEL -> jobs.cancel(jobId);
            case PAUSE -> jobs.pause(jobId);
            case RESUME -> jobs.resume(jobId);
        };
    }

    @Override
    public ExportSummary exportInstances(InstanceQuery query, Writer out, LongConsumer progress) {
        return new InstanceTransfer(session.provider).exportInstances(query, out, progress);
    }

    @Override
    public ImportSummary importInstances(InputStream in, IdReusePolicy policy, LongConsumer progress) {
        return new InstanceTransfer(session.provider).importInstances(new InputStreamReader(in, StandardCharsets.UTF_8), policy, progress);
    }

    @Override
    public void close() {
        session.close();
    }

    @Override
    public List<RetentionPolicy> retentionPolicies() {
        return client.getRetentionPolicies();
    }

    @Override
    public void setRetentionPolicy(RetentionPolicy policy) {
        client.setRetentionPolicy(policy);
    }

    @Override
    public boolean removeRetentionPolicy(RuntimeStatus status, String name) {
        return client.removeRetentionPolicy(status, name);
    }

    @Override
    public RetentionReport applyRetentionPolicies(int limitPerPolicy) {
        return client.applyRetentionPolicies(limitPerPolicy);
    }

    @Override
    public StuckInstances stuck(StuckQuery query) {
        return client.findStuckInstances(query);
    }

    @Override
    public QuarantinePage quarantine(QuarantineQuery query) {
        return client.listQuarantineRecords(query);
    }

    @Override
    public QuarantineRecord quarantineRecord(String recordId) {
        return client.getQuarantineRecord(recordId).orElseThrow(() -> new QuarantineRecordNotFoundException(recordId));
    }

    @Override
    public QuarantineReplay replayQuarantineRecord(String recordId) {
        return client.replayQuarantineRecord(recordId);
    }

    @Override
    public void discardQuarantineRecord(String recordId) {
        client.discardQuarantineRecord(recordId);
    }
}

package dev.taskhub.cli;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.RawJson;
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
import dev.taskhub.jobs.BulkJob;
import dev.taskhub.jobs.BulkJobRequest;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.client.QueryResult;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.transfer.ExportSummary;
import dev.taskhub.transfer.ImportSummary;

import java.io.InputStream;
import java.io.Writer;
import java.util.function.LongConsumer;

import java.util.List;

/**
 * The management operations the subcommands need, answered with the client's typed results: either on the task hub's
 * storage directly ({@link LocalHub}) or through a running HTTP management API ({@link RemoteHub}, which reads the
 * API's wire format back into the same types). The subcommands print text or, with {@code --json}, the wire format
 * from these results, the same way in both modes.
 */
interface Hub extends AutoCloseable {
    String taskHubName();

    /** Starts an instance; returns its management payload (its {@code id} is the instance id). */
    HttpManagementPayload start(String name, RawJson input, String instanceId);

    /** The status (input only when asked); refuses an unknown instance. */
    OrchestrationMetadata status(String instanceId, boolean showInput);

    /** The history of the current execution, with results. */
    List<HistoryEvent> history(String instanceId);

    /** One page: filters, page size, token and whether inputs and outputs are shown. */
    QueryResult list(InstanceQuery query);

    /** The hub's health (storage answering, instances stuck in Pending), with the details. */
    HubHealth health();

    /** How many instances match the query's filters, per orchestration name and status. */
    InstanceCounts count(InstanceQuery query);

    void raiseEvent(String instanceId, String eventName, RawJson data);

    void terminate(String instanceId, String reason);

    void suspend(String instanceId, String reason);

    void resume(String instanceId, String reason);

    void rewind(String instanceId, String reason);

    /** Restarts; returns the management payload of the new run. */
    HttpManagementPayload restart(String instanceId, boolean newInstanceId);

    long purgeInstance(String instanceId);

    long purgeInstances(PurgeCriteria criteria);

    void deleteTaskHub();

    /** How many instances a bulk job with this request would handle now. */
    long dryRunJob(BulkJobRequest request);

    /** Starts a bulk job (or returns the existing one of the request's job id). */
    BulkJob startJob(BulkJobRequest request);

    /** A bulk job; refuses an unknown id. */
    BulkJob job(String jobId);

    /** Every bulk job, newest first. */
    List<BulkJob> jobs();

    /** Cancels, pauses or resumes a bulk job; returns it after the change was accepted. */
    BulkJob changeJob(String jobId, JobChange change);

    /** What {@link #changeJob} does. */
    enum JobChange { CANCEL, PAUSE, RESUME }
    /** Writes the instances matching the query's filters with their full history as JSON Lines; progress gets the count so far. */
    ExportSummary exportInstances(InstanceQuery query, Writer out, LongConsumer progress);

    /** Imports JSON Lines (UTF-8) as {@code export} writes them; progress gets the lines read so far (locally). */
    ImportSummary importInstances(InputStream in, IdReusePolicy policy, LongConsumer progress);

    /** The retention policies, by status and then name. */
    List<RetentionPolicy> retentionPolicies();

    /** Adds the policy or replaces the one of the same status and name. */
    void setRetentionPolicy(RetentionPolicy policy);

    /** Removes the policy of the status and name (null: every name); false when there was none. */
    boolean removeRetentionPolicy(RuntimeStatus status, String name);

    /** Runs one retention pass now. */
    RetentionReport applyRetentionPolicies(int limitPerPolicy);

    /** Instances stuck for longer than the query's threshold, with their reasons. */
    StuckInstances stuck(StuckQuery query);

    /** One page of quarantine records. */
    QuarantinePage quarantine(QuarantineQuery query);

    /** One quarantine record; refuses an unknown id. */
    QuarantineRecord quarantineRecord(String recordId);

    /** Replays a quarantine record (see {@code TaskHubClient.replayQuarantineRecord}). */
    QuarantineReplay replayQuarantineRecord(String recordId);

    /** Discards a quarantine record; refuses an unknown id. */
    void discardQuarantineRecord(String recordId);

    @Override
    void close();
}

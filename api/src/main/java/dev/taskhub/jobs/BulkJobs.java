package dev.taskhub.jobs;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.activity.Activity;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.jobs.BulkJobOrchestrator.JobState;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts, follows, pauses and cancels bulk jobs ({@code new BulkJobs(client)}). A job is an orchestration instance
 * of the built-in orchestrator {@value #ORCHESTRATOR} under the id {@value #INSTANCE_ID_PREFIX}{@code <jobId>}, run by
 * the hub's workers (every {@link dev.taskhub.worker.TaskHubWorker} runs it): durable, resumed after a crash where it
 * stopped, its progress recorded after every page. Jobs therefore also appear in instance queries under that name;
 * a bulk job never applies its operation to another job. Thread-safe.
 */
public final class BulkJobs {
    /** The built-in orchestrator that runs bulk jobs. */
    public static final String ORCHESTRATOR = "taskhub.BulkJob";
    /** The built-in activity that counts a job's matches. */
    public static final String COUNT_ACTIVITY = "taskhub.BulkJob.count";
    /** The built-in activity that runs one step (page) of a job. */
    public static final String STEP_ACTIVITY = "taskhub.BulkJob.step";
    /** Job instances are named this prefix plus the job id. */
    public static final String INSTANCE_ID_PREFIX = "taskhub-job-";
    private static final String CANCEL_REASON = "Bulk job canceled";

    private final TaskHubClient client;

    public BulkJobs(TaskHubClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** The built-in orchestrator that runs jobs, by name. Every worker registers it. */
    public static Map<String, Orchestrator<?>> builtInOrchestrators() {
        return Map.of(ORCHESTRATOR, new BulkJobOrchestrator());
    }

    /** The built-in activities of jobs, by name, working through {@code client}. Every worker registers them. */
    public static Map<String, Activity<?>> builtInActivities(TaskHubClient client) {
        BulkJobs jobs = new BulkJobs(client);
        return Map.of(COUNT_ACTIVITY, (Activity<Long>) ctx -> jobs.dryRun(ctx.getInput(BulkJobRequest.class)),
                STEP_ACTIVITY, new BulkJobStep(client));
    }

    /**
     * Starts a job and returns it once the start is durable. A job under the same id that exists already is returned
     * as it is, and nothing new starts (so a retried start does not run the operation twice).
     */
    public BulkJob start(BulkJobRequest request) {
        Objects.requireNonNull(request, "request");
        String jobId = request.jobId() != null ? request.jobId() : UUID.randomUUID().toString().replace("-", "");
        try {
            client.scheduleNewOrchestrationInstance(ORCHESTRATOR, new JobState(request.withJobId(jobId), null, BulkJobProgress.NONE),
                    NewOrchestrationOptions.builder().instanceId(INSTANCE_ID_PREFIX + jobId)
                            .idReusePolicy(IdReusePolicy.FAIL_IF_EXISTS).build());
        } catch (InstanceAlreadyExistsException e) {
            // an earlier start under this id: that job stands
        }
        return get(jobId).orElseThrow(() -> new InstanceNotFoundException(INSTANCE_ID_PREFIX + jobId));
    }

    /** How many instances the job would handle now: the dry run of {@code request} (nothing is started or changed). */
    public long dryRun(BulkJobRequest request) {
        InstanceCounts counts = client.countInstances(request.query());
        long total = 0;
        for (Map.Entry<String, Map<RuntimeStatus, Long>> byName : counts.byName().entrySet()) {
            if (BulkJobStep.matches(request, byName.getKey())) {
                total += byName.getValue().values().stream().mapToLong(Long::longValue).sum();
            }
        }
        return total;
    }

    /** The job, or empty when there is none with that id (or it was purged). */
    public Optional<BulkJob> get(String jobId) {
        requireJobId(jobId);
        return client.getInstanceMetadata(INSTANCE_ID_PREFIX + jobId, true)
                .filter(m -> ORCHESTRATOR.equals(m.name()))
                .map(this::toJob);
    }

    /** Every job of the hub, newest first. */
    public List<BulkJob> list() {
        List<BulkJob> jobs = new ArrayList<>();
        InstanceQuery query = InstanceQuery.builder().instanceIdPrefix(INSTANCE_ID_PREFIX).pageSize(InstanceQuery.MAX_PAGE_SIZE)
                .fetchInputsAndOutputs(true).build();
        while (true) {
            QueryResult page = client.queryInstances(query);
            page.instances().stream().filter(m -> ORCHESTRATOR.equals(m.name())).map(this::toJob).forEach(jobs::add);
            if (page.continuationToken() == null) {
                break;
            }
            query = query.withContinuationToken(page.continuationToken());
        }
        jobs.sort(Comparator.comparing(BulkJob::createdAt).reversed());
        return jobs;
    }

    /**
     * Cancels a job: it stops before its next step (the step in hand, at most one page, may still finish). Canceling a
     * finished job is refused with {@link dev.taskhub.InvalidInstanceStateException}.
     */
    public BulkJob cancel(String jobId) {
        require(jobId);
        client.terminate(INSTANCE_ID_PREFIX + jobId, CANCEL_REASON);
        return require(jobId);
    }

    /** Pauses a job after its current step; {@link #resume} continues it where it stopped. */
    public BulkJob pause(String jobId) {
        require(jobId);
        client.suspend(INSTANCE_ID_PREFIX + jobId, "Bulk job paused");
        return require(jobId);
    }

    /** Continues a paused job. */
    public BulkJob resume(String jobId) {
        require(jobId);
        client.resume(INSTANCE_ID_PREFIX + jobId, "Bulk job resumed");
        return require(jobId);
    }

    private BulkJob require(String jobId) {
        return get(jobId).orElseThrow(() -> new InvalidRequestException("There is no bulk job '" + jobId
                + "'. List the jobs with 'taskhub jobs list'."));
    }

    private static void requireJobId(String jobId) {
        if (jobId == null || jobId.isBlank()) {
            throw new InvalidRequestException("A job id must not be empty.");
        }
    }

    private BulkJob toJob(OrchestrationMetadata m) {
        JobState state = m.readInputAs(JobState.class);
        BulkJobProgress progress = m.serializedCustomStatus() != null ? m.readCustomStatusAs(BulkJobProgress.class)
                : state.progress();
        String message = null;
        if (m.runtimeStatus() == RuntimeStatus.TERMINATED) {
            message = m.readOutputAs(String.class);
        } else if (m.runtimeStatus() == RuntimeStatus.FAILED) {
            message = m.failureDetails().map(f -> f.message()).orElse("failed");
        }
        String jobId = m.instanceId().substring(INSTANCE_ID_PREFIX.length());
        return new BulkJob(jobId, state.request().withJobId(jobId), state(m.runtimeStatus()), progress, m.createdAt(),
                m.lastUpdatedAt(), message);
    }

    private static BulkJob.State state(RuntimeStatus status) {
        return switch (status) {
            case PENDING -> BulkJob.State.PENDING;
            case RUNNING, CONTINUED_AS_NEW -> BulkJob.State.RUNNING;
            case SUSPENDED -> BulkJob.State.PAUSED;
            case COMPLETED -> BulkJob.State.COMPLETED;
            case TERMINATED -> BulkJob.State.CANCELED;
            case FAILED -> BulkJob.State.FAILED;
        };
    }
}

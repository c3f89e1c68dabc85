package dev.taskhub.jobs;

import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.TaskhubException;
import dev.taskhub.activity.Activity;
import dev.taskhub.activity.ActivityContext;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.convert.RawJson;
import dev.taskhub.jobs.BulkJobOrchestrator.StepInput;
import dev.taskhub.jobs.BulkJobOrchestrator.StepResult;
import dev.taskhub.jobs.BulkJobProgress.Issue;
import dev.taskhub.jobs.BulkJobProgress.Outcome;
import dev.taskhub.query.InstanceQuery;

import java.util.ArrayList;
import java.util.List;

/**
 * One step of a bulk job: reads a page of the job's query after the given position and applies the operation to each
 * instance of the page that matches (the orchestration name is checked here; other bulk jobs never match). An
 * operation that does not apply to an instance's status is a skip, with the reason; a storage failure is a failure.
 */
final class BulkJobStep implements Activity<StepResult> {
    private final TaskHubClient client;

    BulkJobStep(TaskHubClient client) {
        this.client = client;
    }

    @Override
    public StepResult run(ActivityContext ctx) {
        StepInput input = ctx.getInput(StepInput.class);
        BulkJobRequest request = input.request();
        int pageSize = request.maxPerSecond() > 0
                ? (int) Math.max(1, Math.min(request.pageSize(), Math.ceil(request.maxPerSecond())))
                : request.pageSize();
        QueryResult page = client.queryInstances(request.query().toBuilder().pageSize(pageSize)
                .continuationToken(input.cursor()).fetchInputsAndOutputs(false).build());
        long matched = 0;
        long done = 0;
        long skipped = 0;
        long failed = 0;
        List<Issue> issues = new ArrayList<>();
        for (OrchestrationMetadata instance : page.instances()) {
            if (!matches(request, instance.name())) {
                continue;
            }
            matched++;
            Issue issue = apply(request, instance);
            if (issue == null) {
                done++;
                continue;
            }
            if (issue.outcome() == Outcome.SKIPPED) {
                skipped++;
            } else {
                failed++;
            }
            issues.add(issue);
        }
        if (issues.size() > BulkJobProgress.MAX_ISSUES) {
            issues = issues.subList(issues.size() - BulkJobProgress.MAX_ISSUES, issues.size());
        }
        return new StepResult(page.continuationToken(), new BulkJobProgress(-1, matched, done, skipped, failed, issues));
    }

    static boolean matches(BulkJobRequest request, String name) {
        return !BulkJobs.ORCHESTRATOR.equals(name) && (request.name() == null || request.name().equals(name));
    }

    /** Applies the operation; null when it was applied, otherwise why not. */
    private Issue apply(BulkJobRequest request, OrchestrationMetadata instance) {
        String id = instance.instanceId();
        RuntimeStatus status = instance.runtimeStatus();
        String reason = request.reason() == null ? "Bulk " + request.operation().wireName() : request.reason();
        try {
            switch (request.operation()) {
                case TERMINATE -> client.terminate(id, reason);
                case SUSPEND -> {
                    if (status == RuntimeStatus.SUSPENDED) {
                        return new Issue(id, Outcome.SKIPPED, "already suspended");
                    }
                    client.suspend(id, reason);
                }
                case RESUME -> {
                    if (status != RuntimeStatus.SUSPENDED) {
                        return new Issue(id, Outcome.SKIPPED, "not suspended (" + status.wireName() + ")");
                    }
                    client.resume(id, reason);
                }
                case REWIND -> client.rewind(id, reason);
                case RESTART -> {
                    if (!status.isTerminal()) {
                        return new Issue(id, Outcome.SKIPPED, "still " + status.wireName() + "; only finished instances are restarted");
                    }
                    client.restart(id, false);
                }
                case RAISE_EVENT -> client.raiseEvent(id, request.eventName(),
                        request.eventData() == null ? null : new RawJson(request.eventData()));
                case PURGE -> {
                    if (!status.isTerminal()) {
                        return new Issue(id, Outcome.SKIPPED, "still " + status.wireName() + "; only finished instances are purged");
                    }
                    if (client.purgeInstance(id) == 0) {
                        return new Issue(id, Outcome.SKIPPED, "already purged");
                    }
                }
            }
            return null;
        } catch (InvalidInstanceStateException e) {
            return new Issue(id, Outcome.SKIPPED, e.getMessage());
        } catch (InstanceNotFoundException e) {
            return new Issue(id, Outcome.SKIPPED, "no longer exists");
        } catch (TaskhubException e) {
            return new Issue(id, Outcome.FAILED, e.getMessage());
        }
    }
}

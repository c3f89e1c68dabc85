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
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.jobs.BulkJobOrchestrator.StepInput;
import dev.taskhub.jobs.BulkJobOrchestrator.StepResult;
import dev.taskhub.jobs.BulkJobProgress.Issue;
import dev.taskhub.jobs.BulkJobProgress.Outcome;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;
import dev.taskhub.spi.support.Times;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One step of a bulk job: reads a page of the job's query after the given position and applies the operation to each
 * instance of the page that matches (the orchestration name is checked here; bulk jobs never match). An operation that
 * does not apply to an instance's status is a skip, with the reason. Operations that are messages to the instance
 * (terminate, suspend, resume, rewind, raise-event) are sent for the whole page at once
 * ({@link dev.taskhub.spi.MessageQueue#sendOrchestrationMessages}), purge likewise
 * ({@link dev.taskhub.spi.InstanceStore#purgeInstancesById}); restart goes one instance at a time. A
 * step that runs again (a retry, or after a crash) sends the same messages under the same ids — derived from the job,
 * the instance and its execution — so the instance applies each once.
 */
final class BulkJobStep implements Activity<StepResult> {
    private final TaskHubClient client;
    private final Clock clock = Times.microsecondClock(Clock.systemUTC());

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
        Tally tally = new Tally();
        List<TaskMessage> messages = new ArrayList<>();
        Instant now = clock.instant();
        List<String> toPurge = new ArrayList<>();
        for (OrchestrationMetadata instance : page.instances()) {
            if (!matches(request, instance.name())) {
                continue;
            }
            tally.matched++;
            String skip = skipReason(request.operation(), instance.runtimeStatus());
            if (skip != null) {
                tally.add(new Issue(instance.instanceId(), Outcome.SKIPPED, skip));
            } else if (request.operation() == BulkOperation.PURGE) {
                toPurge.add(instance.instanceId());
            } else if (request.operation() == BulkOperation.RESTART) {
                tally.add(restart(instance.instanceId()));
            } else {
                messages.add(message(request, Ids.derived(ctx.getInstanceId(), instance.instanceId(), instance.executionId(),
                        request.operation().wireName()), instance.instanceId(), now));
                tally.done++;
            }
        }
        client.provider().sendOrchestrationMessages(messages);
        if (!toPurge.isEmpty()) {
            Set<String> purged = client.provider().purgeInstancesById(toPurge);
            for (String id : toPurge) {
                tally.add(purged.contains(id) ? null : new Issue(id, Outcome.SKIPPED, "no longer finished, or already purged"));
            }
        }
        return new StepResult(page.continuationToken(), tally.progress());
    }

    static boolean matches(BulkJobRequest request, String name) {
        return !BulkJobs.ORCHESTRATOR.equals(name) && (request.name() == null || request.name().equals(name));
    }

    /** Why the operation does not apply to an instance in this status, or null when it does. */
    static String skipReason(BulkOperation operation, RuntimeStatus status) {
        return switch (operation) {
            case TERMINATE, RAISE_EVENT -> status.isTerminal() ? "already " + status.wireName() : null;
            case SUSPEND -> status.isTerminal() ? "already " + status.wireName()
                    : status == RuntimeStatus.SUSPENDED ? "already Suspended" : null;
            case RESUME -> status == RuntimeStatus.SUSPENDED ? null : "not suspended (" + status.wireName() + ")";
            case REWIND -> status == RuntimeStatus.FAILED ? null : "only failed instances are rewound; this one is " + status.wireName();
            case RESTART -> status.isTerminal() ? null : "still " + status.wireName() + "; only finished instances are restarted";
            case PURGE -> status.isTerminal() ? null : "still " + status.wireName() + "; only finished instances are purged";
        };
    }

    /** The message that applies a message-based operation, as the client's method of that name sends it. */
    private static TaskMessage message(BulkJobRequest request, String messageId, String instanceId, Instant now) {
        String reason = request.reason() == null ? "Bulk " + request.operation().wireName() : request.reason();
        HistoryEvent event = switch (request.operation()) {
            case TERMINATE -> new HistoryEvent.ExecutionTerminated(-1, now, reason, false);
            case SUSPEND -> new HistoryEvent.ExecutionSuspended(-1, now, reason);
            case RESUME -> new HistoryEvent.ExecutionResumed(-1, now, reason);
            case REWIND -> new HistoryEvent.ExecutionRewound(-1, now, reason);
            case RAISE_EVENT -> new HistoryEvent.EventRaised(-1, now, request.eventName(), request.eventData(), messageId);
            case RESTART, PURGE -> throw new IllegalArgumentException(request.operation() + " is not a message");
        };
        return new TaskMessage(messageId, instanceId, null, event, null);
    }

    /** Restarts one finished instance under its id; null when it was done, otherwise why not. */
    private Issue restart(String id) {
        try {
            client.restart(id, false);
            return null;
        } catch (InvalidInstanceStateException e) {
            return new Issue(id, Outcome.SKIPPED, e.getMessage());
        } catch (InstanceNotFoundException e) {
            return new Issue(id, Outcome.SKIPPED, "no longer exists");
        } catch (TaskhubException e) {
            return new Issue(id, Outcome.FAILED, e.getMessage());
        }
    }

    /** A step's counts. */
    private static final class Tally {
        long matched;
        long done;
        long skipped;
        long failed;
        final List<Issue> issues = new ArrayList<>();

        void add(Issue issue) {
            if (issue == null) {
                done++;
                return;
            }
            if (issue.outcome() == Outcome.SKIPPED) {
                skipped++;
            } else {
                failed++;
            }
            issues.add(issue);
        }

        BulkJobProgress progress() {
            List<Issue> kept = issues.size() > BulkJobProgress.MAX_ISSUES
                    ? issues.subList(issues.size() - BulkJobProgress.MAX_ISSUES, issues.size()) : issues;
            return new BulkJobProgress(-1, matched, done, skipped, failed, kept);
        }
    }
}

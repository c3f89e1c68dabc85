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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One step of a bulk job: reads pages of the job's query from the given position (one page when the job is
 * rate-limited, otherwise pages back to back for up to {@link #STEP_BUDGET}) and applies the operation to each instance
 * of a page that matches (the orchestration name is checked here; bulk jobs never match). An operation that
 * does not apply to an instance's status is a skip, with the reason. Operations that are messages to the instance
 * (terminate, suspend, resume, rewind, raise-event) are sent for the whole page at once
 * ({@link dev.taskhub.spi.MessageQueue#sendOrchestrationMessages}), purge likewise
 * ({@link dev.taskhub.spi.InstanceStore#purgeInstancesById}); restart goes one instance at a time. A
 * step that runs again (a retry, or after a crash) sends the same messages under the same ids — derived from the job,
 * the instance and its execution — so the instance applies each once.
 */
final class BulkJobStep implements Activity<StepResult> {
    /**
     * A step goes on to the next page while it has run less than this (and has done fewer than
     * {@link #MAX_PAGES_PER_STEP} pages), unless the job is rate-limited. The job's next step can only start when the
     * step's result reaches the job, behind the messages the step sent; pages sent back to back keep the workers busy
     * meanwhile, and a crash repeats at most one step.
     */
    static final Duration STEP_BUDGET = Duration.ofSeconds(1);
    static final int MAX_PAGES_PER_STEP = 16;

    private final TaskHubClient client;
    private final Clock clock = Times.microsecondClock(Clock.systemUTC());

    BulkJobStep(TaskHubClient client) {
        this.client = client;
    }

    @Override
    public StepResult run(ActivityContext ctx) {
        StepInput input = ctx.getInput(StepInput.class);
        BulkJobRequest request = input.request();
        boolean limited = request.maxPerSecond() > 0;
        int pageSize = limited ? (int) Math.max(1, Math.min(request.pageSize(), Math.ceil(request.maxPerSecond()))) : request.pageSize();
        Tally tally = new Tally();
        long began = System.nanoTime();
        String cursor = input.cursor();
        int pages = 0;
        do {
            cursor = applyPage(ctx, request, pageSize, cursor, tally);
            pages++;
        } while (cursor != null && !limited && pages < MAX_PAGES_PER_STEP && System.nanoTime() - began < STEP_BUDGET.toNanos());
        return new StepResult(cursor, tally.progress());
    }

    /** Applies the operation to one page of the query after {@code cursor}; returns the position after it (null at the end). */
    private String applyPage(ActivityContext ctx, BulkJobRequest request, int pageSize, String cursor, Tally tally) {
        QueryResult page = client.queryInstances(request.query().toBuilder().pageSize(pageSize)
                .continuationToken(cursor).fetchInputsAndOutputs(false).build());
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
                        request.operation().wireName()), instance.instanceId(), instance.executionId(), now));
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
        return page.continuationToken();
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
    private static TaskMessage message(BulkJobRequest request, String messageId, String instanceId, String executionId, Instant now) {
        String reason = request.reason() == null ? "Bulk " + request.operation().wireName() : request.reason();
        HistoryEvent event = switch (request.operation()) {
            case TERMINATE -> new HistoryEvent.ExecutionTerminated(-1, now, reason, false);
            case SUSPEND -> new HistoryEvent.ExecutionSuspended(-1, now, reason);
            case RESUME -> new HistoryEvent.ExecutionResumed(-1, now, reason);
            case REWIND -> new HistoryEvent.ExecutionRewound(-1, now, reason);
            case RAISE_EVENT -> new HistoryEvent.EventRaised(-1, now, request.eventName(), request.eventData(), messageId);
            case RESTART, PURGE -> throw new IllegalArgumentException(request.operation() + " is not a message");
        };
        // a rewind is addressed to the failed execution, so that it never rewinds a later one; the others to whichever runs
        return new TaskMessage(messageId, instanceId, request.operation() == BulkOperation.REWIND ? executionId : null, event, null);
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

package dev.taskhub.jobs;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.orchestration.RetryPolicy;

import java.time.Duration;
import java.time.Instant;

/**
 * The orchestration behind a bulk job: counts the matches once, then works through them one step (pages of the query)
 * at a time, each step an activity that applies the operation and returns the next position, recording the progress
 * as custom status after every step. The position and the progress live in the history, so a worker that dies loses at
 * most the step in hand, which runs again (every operation skips instances it already applied to, e.g. a terminated
 * one). Continues as new every {@value #STEPS_PER_EXECUTION} steps to keep its history short.
 */
final class BulkJobOrchestrator implements Orchestrator<BulkJobProgress> {
    static final int STEPS_PER_EXECUTION = 50;
    /** Storage hiccups are retried; a step that keeps failing fails the job (it can be rewound). */
    static final RetryPolicy STEP_RETRY = RetryPolicy.builder(10, Duration.ofSeconds(1)).backoffCoefficient(2)
            .maxRetryInterval(Duration.ofMinutes(1)).build();

    /** The job's input: its request, the position of the next step and the progress so far. */
    record JobState(BulkJobRequest request, String cursor, BulkJobProgress progress) {
    }

    /** One step's input: the query position to start at (null for the first page). */
    record StepInput(BulkJobRequest request, String cursor) {
    }

    /** One step's outcome: the position after it (null when the query is exhausted) and what it did. */
    record StepResult(String nextCursor, BulkJobProgress progress) {
    }

    @Override
    public BulkJobProgress run(OrchestrationContext ctx) {
        JobState state = ctx.getInput(JobState.class);
        BulkJobRequest request = state.request();
        BulkJobProgress progress = state.progress();
        if (progress.expected() < 0) {
            progress = progress.withExpected(ctx.callActivity(BulkJobs.COUNT_ACTIVITY, request, Long.class, STEP_RETRY).await());
        }
        String cursor = state.cursor();
        for (int step = 0; ; step++) {
            ctx.setCustomStatus(progress);
            if (step == STEPS_PER_EXECUTION) {
                ctx.continueAsNew(new JobState(request, cursor, progress), true);
                return progress;
            }
            Instant began = ctx.getCurrentInstant();
            StepResult result = ctx.callActivity(BulkJobs.STEP_ACTIVITY, new StepInput(request, cursor), StepResult.class, STEP_RETRY).await();
            progress = progress.plus(result.progress());
            cursor = result.nextCursor();
            if (cursor == null) {
                ctx.setCustomStatus(progress);
                return progress;
            }
            if (request.maxPerSecond() > 0) {
                Instant next = began.plusNanos((long) (result.progress().matched() / request.maxPerSecond() * 1e9));
                if (next.isAfter(ctx.getCurrentInstant())) {
                    ctx.createTimer(next).await();
                }
            }
        }
    }
}

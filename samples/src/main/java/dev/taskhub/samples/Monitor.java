package dev.taskhub.samples;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.worker.TaskRegistry;

import java.time.Duration;
import java.time.Instant;

/**
 * The monitor pattern: polls a condition on a durable timer until it holds or the monitor expires. The input says
 * how many checks the (simulated) job needs before it reports done and the polling interval in milliseconds.
 */
public final class Monitor {
    public static final String ORCHESTRATOR = "E5_Monitor";
    public static final String CHECK = "E5_CheckJobStatus";

    /** Monitor input: the job finishes on check number {@code doneAfterChecks}; checks run every {@code intervalMillis}. */
    public record Request(String jobId, int doneAfterChecks, long intervalMillis) {}

    /** Activity input. */
    public record Check(String jobId, int checkNumber, int doneAfterChecks) {}

    private Monitor() {}

    public static String run(OrchestrationContext ctx) {
        Request request = ctx.getInput(Request.class);
        Instant expiry = ctx.getCurrentInstant().plus(Duration.ofMinutes(5));
        int check = 1;
        while (ctx.getCurrentInstant().isBefore(expiry)) {
            String status = ctx.callActivity(CHECK, new Check(request.jobId(), check, request.doneAfterChecks()), String.class).await();
            ctx.setCustomStatus("check " + check + ": " + status);
            if ("Completed".equals(status)) {
                return "Job " + request.jobId() + " completed after " + check + " checks";
            }
            ctx.createTimer(Duration.ofMillis(request.intervalMillis())).await();
            check++;
        }
        return "Job " + request.jobId() + " did not complete before the monitor expired";
    }

    public static void register(TaskRegistry registry) {
        registry.addOrchestrator(ORCHESTRATOR, Monitor::run);
        registry.addActivity(CHECK, ctx -> {
            Check c = ctx.getInput(Check.class);
            return c.checkNumber() >= c.doneAfterChecks() ? "Completed" : "Running";
        });
    }
}

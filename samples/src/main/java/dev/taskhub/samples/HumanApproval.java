package dev.taskhub.samples;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.orchestration.Task;
import dev.taskhub.worker.TaskRegistry;

import java.time.Duration;
import java.util.List;

/**
 * Human interaction with a timeout: requests approval, then waits for an {@code Approval} event or a timer, whichever
 * comes first. The input is the timeout in seconds (default 60); the output says what happened.
 */
public final class HumanApproval {
    public static final String ORCHESTRATOR = "E4_HumanApproval";
    public static final String REQUEST = "E4_RequestApproval";
    public static final String EVENT = "Approval";

    private HumanApproval() {}

    public static String run(OrchestrationContext ctx) {
        Integer seconds = ctx.getInput(Integer.class);
        ctx.callActivity(REQUEST, ctx.getInstanceId()).await();
        ctx.setCustomStatus("Waiting for approval");
        Task<Boolean> approval = ctx.waitForExternalEvent(EVENT, Boolean.class);
        Task<Void> timeout = ctx.createTimer(Duration.ofSeconds(seconds == null ? 60 : seconds));
        Task<?> winner = ctx.anyOf(List.of(approval, timeout)).await();
        ctx.setCustomStatus("Decided");
        if (winner == approval) {
            return Boolean.TRUE.equals(approval.await()) ? "Approved" : "Rejected";
        }
        return "Escalated: no approval in time";
    }

    public static void register(TaskRegistry registry) {
        registry.addOrchestrator(ORCHESTRATOR, HumanApproval::run);
        registry.addActivity(REQUEST, ctx -> "Approval requested for " + ctx.getInput(String.class));
    }
}

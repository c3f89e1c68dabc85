package dev.taskhub.samples;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.worker.TaskRegistry;

/**
 * An eternal counter with continue-as-new: each {@code operation} event ("add", "reset" or "stop") updates the
 * count, then the orchestration restarts itself with the new count as input, so its history never grows. "stop"
 * completes it with the final count.
 */
public final class Counter {
    public static final String ORCHESTRATOR = "E3_Counter";
    public static final String EVENT = "operation";

    private Counter() {}

    public static Integer run(OrchestrationContext ctx) {
        Integer input = ctx.getInput(Integer.class);
        int count = input == null ? 0 : input;
        ctx.setCustomStatus(count);
        String operation = ctx.waitForExternalEvent(EVENT, String.class).await();
        switch (operation == null ? "" : operation.toLowerCase()) {
            case "add" -> count++;
            case "reset" -> count = 0;
            case "stop" -> {
                return count;
            }
            default -> ctx.getLogger(Counter.class).warn("Ignoring unknown operation '{}'", operation);
        }
        ctx.continueAsNew(count);
        return null;
    }

    public static void register(TaskRegistry registry) {
        registry.addOrchestrator(ORCHESTRATOR, Counter::run);
    }
}

package dev.taskhub.samples;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.orchestration.Task;
import dev.taskhub.worker.TaskRegistry;

import java.util.ArrayList;
import java.util.List;

/**
 * Fan-out/fan-in: asks for a list of work items, processes them in parallel and sums the results. The input is the
 * number of work items (default 10).
 */
public final class FanOutFanIn {
    public static final String ORCHESTRATOR = "E2_FanOutFanIn";
    public static final String GET_WORK = "E2_GetWorkItems";
    public static final String PROCESS = "E2_ProcessWorkItem";

    private FanOutFanIn() {}

    public static long run(OrchestrationContext ctx) {
        Integer count = ctx.getInput(Integer.class);
        int[] items = ctx.callActivity(GET_WORK, count == null ? 10 : count, int[].class).await();
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int item : items) {
            tasks.add(ctx.callActivity(PROCESS, item, Integer.class));
        }
        long sum = 0;
        for (int value : ctx.allOf(tasks).await()) {
            sum += value;
        }
        return sum;
    }

    public static void register(TaskRegistry registry) {
        registry.addOrchestrator(ORCHESTRATOR, FanOutFanIn::run);
        registry.addActivity(GET_WORK, ctx -> {
            int n = ctx.getInput(Integer.class);
            int[] items = new int[n];
            for (int i = 0; i < n; i++) {
                items[i] = i + 1;
            }
            return items;
        });
        registry.addActivity(PROCESS, ctx -> ctx.getInput(Integer.class) * 2);
    }
}

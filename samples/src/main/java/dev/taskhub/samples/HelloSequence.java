package dev.taskhub.samples;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.worker.TaskRegistry;

import java.util.ArrayList;
import java.util.List;

/** Function chaining: says hello to three cities, one activity after another. */
public final class HelloSequence {
    public static final String ORCHESTRATOR = "E1_HelloSequence";
    public static final String ACTIVITY = "E1_SayHello";

    private HelloSequence() {}

    public static List<String> run(OrchestrationContext ctx) {
        List<String> outputs = new ArrayList<>();
        outputs.add(ctx.callActivity(ACTIVITY, "Tokyo", String.class).await());
        outputs.add(ctx.callActivity(ACTIVITY, "Seattle", String.class).await());
        outputs.add(ctx.callActivity(ACTIVITY, "London", String.class).await());
        return outputs;
    }

    public static void register(TaskRegistry registry) {
        registry.addOrchestrator(ORCHESTRATOR, HelloSequence::run);
        registry.addActivity(ACTIVITY, ctx -> "Hello " + ctx.getInput(String.class) + "!");
    }
}

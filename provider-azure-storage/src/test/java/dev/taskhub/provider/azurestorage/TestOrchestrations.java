package dev.taskhub.provider.azurestorage;

import dev.taskhub.orchestration.Task;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Orchestrations used by the worker-level tests. */
final class TestOrchestrations {
    static final String CHAIN = "Chain";
    static final String FAN_OUT = "FanOut";
    static final String TIMER_AND_EVENT = "TimerAndEvent";
    static final String WORK = "Work";

    private TestOrchestrations() {}

    /** A worker with the test orchestrations; {@code onActivity} sees every activity input. */
    static TaskHubWorker worker(StorageProvider provider, Consumer<String> onActivity) {
        return TaskHubWorker.builder(provider)
                .options(WorkerOptions.builder().lockLease(Duration.ofSeconds(10)).pollWait(Duration.ofMillis(300))
                        .orchestrationConcurrency(2).activityConcurrency(4).build())
                .addOrchestrator(CHAIN, ctx -> {
                    String name = ctx.getInput(String.class);
                    String a = ctx.callActivity(WORK, name + "-1", String.class).await();
                    String b = ctx.callActivity(WORK, name + "-2", String.class).await();
                    String c = ctx.callActivity(WORK, name + "-3", String.class).await();
                    return a + "," + b + "," + c;
                })
                .addOrchestrator(FAN_OUT, ctx -> {
                    int n = ctx.getInput(Integer.class);
                    List<Task<String>> tasks = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        tasks.add(ctx.callActivity(WORK, "f" + i, String.class));
                    }
                    return ctx.allOf(tasks).await().size();
                })
                .addOrchestrator(TIMER_AND_EVENT, ctx -> {
                    ctx.createTimer(Duration.ofSeconds(1)).await();
                    String event = ctx.waitForExternalEvent("go", String.class).await();
                    return "got " + event;
                })
                .addActivity(WORK, ctx -> {
                    String input = ctx.getInput(String.class);
                    onActivity.accept(input);
                    return "done:" + input;
                })
                .build();
    }
}

package dev.taskhub.cli;

import dev.taskhub.worker.TaskModule;
import dev.taskhub.worker.TaskRegistry;

import java.util.List;

/**
 * Orchestrators that the dashboard's browser test needs besides the samples, found by {@code taskhub serve} on the test
 * class path: {@value #PARENT} calls {@code E1_HelloSequence} as a sub-orchestration under the id
 * {@code <its own id>-child}, so the instance page's timeline links a parent and its child.
 */
public final class DashboardTestModule implements TaskModule {
    static final String PARENT = "Dash_Parent";

    @Override
    public void register(TaskRegistry registry) {
        registry.addOrchestrator(PARENT, ctx -> ctx.callSubOrchestrator("E1_HelloSequence", null, ctx.getInstanceId() + "-child",
                List.class, null).await());
    }
}

package dev.taskhub.conformance.generated;

import dev.taskhub.activity.ActivityContext;
import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.Task;
import dev.taskhub.orchestration.TaskCanceledException;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.TaskRegistry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The one generic orchestrator that interprets generated programs, its generic activity and the sibling that
 * receives {@link Step.SendEvent}. Registered on the suite's workers by {@link #register}.
 */
public final class ProgramOrchestrator {
    public static final String ORCHESTRATOR = "GeneratedProgram";
    public static final String ACTIVITY = "GeneratedActivity";
    public static final String SIBLING = "GeneratedSibling";
    static final String SIBLING_EVENT = "sib";

    /** The orchestrator's input: the steps, the execution's generation and the values carried from earlier ones. */
    public record RunInput(List<Step> steps, int generation, List<Object> carried) {}

    /** The activity's input: its key in the {@link Ledger}, how many first attempts fail, and its value. */
    public record ActivityCall(String key, int failFirst, String value) {}

    private ProgramOrchestrator() {
    }

    public static TaskHubWorker.Builder register(TaskHubWorker.Builder builder) {
        return builder
                .addOrchestrator(ORCHESTRATOR, ctx -> new Run(ctx, ctx.getInput(RunInput.class)).run())
                .addOrchestrator(SIBLING, ctx -> ctx.waitForExternalEvent(SIBLING_EVENT, String.class).await())
                .addActivity(ACTIVITY, ProgramOrchestrator::activity);
    }

    /** The same registrations on a bare registry (used to replay stored histories). */
    static TaskRegistry register(TaskRegistry registry) {
        return registry
                .addOrchestrator(ORCHESTRATOR, ctx -> new Run(ctx, ctx.getInput(RunInput.class)).run())
                .addOrchestrator(SIBLING, ctx -> ctx.waitForExternalEvent(SIBLING_EVENT, String.class).await())
                .addActivity(ACTIVITY, ProgramOrchestrator::activity);
    }

    static String activity(ActivityContext ctx) {
        ActivityCall call = ctx.getInput(ActivityCall.class);
        String key = Ledger.key(ctx.getInstanceId(), call.key());
        int attempt = Ledger.nextAttempt(key);
        if (attempt <= call.failFirst()) {
            throw new IllegalStateException("generated failure of " + call.key() + ", attempt " + attempt);
        }
        Ledger.succeeded(key);
        return call.value();
    }

    static String activityKey(int stepId, int generation) {
        return "a" + stepId + "g" + generation;
    }

    static String compensationKey(int stepId, int generation) {
        return "c" + stepId + "g" + generation;
    }

    static String eventName(int stepId, int generation) {
        return "e" + stepId + "g" + generation;
    }

    static String childId(String parentId, int stepId, int generation) {
        return parentId + "-s" + stepId + "g" + generation;
    }

    static String siblingId(String rootId) {
        return rootId + "-sib";
    }

    static String siblingData(String rootId, int generation) {
        return "from-" + rootId + "-g" + generation;
    }

    private static final class Run {
        private final OrchestrationContext ctx;
        private final RunInput input;
        private final int gen;

        Run(OrchestrationContext ctx, RunInput input) {
            this.ctx = ctx;
            this.input = input;
            this.gen = input.generation();
        }

        Object run() {
            List<Object> values = new ArrayList<>(input.carried());
            for (Step step : input.steps()) {
                if (step instanceof Step.ContinueAsNew can) {
                    if (gen < can.generations()) {
                        ctx.continueAsNew(new RunInput(input.steps(), gen + 1, values));
                        return null;
                    }
                    values.add("done");
                } else {
                    values.add(exec(step));
                }
            }
            return values;
        }

        private Object exec(Step step) {
            if (step instanceof Step.Timer t) {
                ctx.createTimer(Duration.ofMillis(t.millis())).await();
                return "t" + t.id();
            }
            if (step instanceof Step.WaitEvent w) {
                try {
                    return task(w).await();
                } catch (TaskCanceledException timedOut) {
                    return "timeout";
                }
            }
            if (step instanceof Step.AllOf all) {
                List<Task<Object>> tasks = new ArrayList<>();
                for (Step branch : all.branches()) {
                    tasks.add(task(branch));
                }
                List<Object> values = new ArrayList<>(ctx.allOf(tasks).await());
                for (int i = 0; i < values.size(); i++) {
                    if (all.branches().get(i) instanceof Step.Timer t) {
                        values.set(i, "t" + t.id());   // a timer's own value is null
                    }
                }
                return values;
            }
            if (step instanceof Step.AnyOf any) {
                List<Task<Object>> tasks = new ArrayList<>();
                for (Step branch : any.branches()) {
                    tasks.add(task(branch));
                }
                ctx.anyOf(tasks).await();
                return "any";
            }
            if (step instanceof Step.TryCatch tc) {
                try {
                    List<Object> values = new ArrayList<>();
                    for (Step s : tc.body()) {
                        values.add(exec(s));
                    }
                    return values;
                } catch (TaskFailedException failed) {
                    ctx.callActivity(ACTIVITY, new ActivityCall(compensationKey(tc.id(), gen), 0, "c" + tc.id()), String.class).await();
                    if (tc.rethrow()) {
                        throw failed;
                    }
                    return "caught";
                }
            }
            if (step instanceof Step.SetStatus s) {
                ctx.setCustomStatus(s.status());
                return "s" + s.id();
            }
            if (step instanceof Step.SendEvent) {
                ctx.sendEvent(siblingId(ctx.getInstanceId()), SIBLING_EVENT, siblingData(ctx.getInstanceId(), gen));
                return "sent";
            }
            return task(step).await();
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Task<Object> task(Step step) {
            if (step instanceof Step.Activity a) {
                RetryPolicy retry = a.retryAttempts() == 0 ? null : RetryPolicy.builder(a.retryAttempts(), Duration.ofMillis(20)).build();
                return (Task) ctx.callActivity(ACTIVITY, new ActivityCall(activityKey(a.id(), gen), a.failFirst(), "a" + a.id()),
                        String.class, retry);
            }
            if (step instanceof Step.Timer t) {
                return (Task) ctx.createTimer(Duration.ofMillis(t.millis()));
            }
            if (step instanceof Step.WaitEvent w) {
                String name = eventName(w.id(), gen);
                ctx.setCustomStatus("waiting:" + name);
                Duration timeout = w.timeoutMillis() == null ? null : Duration.ofMillis(w.timeoutMillis());
                return (Task) ctx.waitForExternalEvent(name, timeout, String.class);
            }
            if (step instanceof Step.SubOrchestration sub) {
                return ctx.callSubOrchestrator(ORCHESTRATOR, new RunInput(sub.steps(), 0, List.of()),
                        childId(ctx.getInstanceId(), sub.id(), gen), Object.class, null);
            }
            throw new IllegalArgumentException("not a primitive step: " + step);
        }
    }
}

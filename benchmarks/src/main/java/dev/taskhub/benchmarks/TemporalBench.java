package dev.taskhub.benchmarks;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The hello sequence on Temporal's in-memory test server ({@code TestWorkflowEnvironment}, time skipping off): one
 * workflow calling 5 activities in sequence, the same closed loop as Taskhub's. Latency = submit to workflow result.
 */
final class TemporalBench {
    @WorkflowInterface
    public interface HelloWorkflow {
        @WorkflowMethod
        String run(String name);
    }

    @ActivityInterface
    public interface HelloActivities {
        String sayHello(String input);
    }

    public static final class HelloWorkflowImpl implements HelloWorkflow {
        private final HelloActivities activities = Workflow.newActivityStub(HelloActivities.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(60)).build());

        @Override
        public String run(String name) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= 5; i++) {
                out.append(activities.sayHello(name + "#" + i)).append(' ');
            }
            return out.toString();
        }
    }

    public static final class HelloActivitiesImpl implements HelloActivities {
        @Override
        public String sayHello(String input) {
            return "Hello " + input + "!";
        }
    }

    private TemporalBench() {}

    static Result run(Args args) throws Exception {
        Result r = new Result("hello", "temporal-testserver");
        int n = args.getInt("n", 3_000);
        int warmup = args.getInt("warmup", 300);
        int inflight = args.getInt("inflight", 16);
        int wfConc = args.getInt("wf-concurrency", 16);
        int actConc = args.getInt("act-concurrency", 32);
        r.set("n", n).set("warmup", warmup).set("inflight", inflight).set("maxConcurrentWorkflowTaskExecutionSize", wfConc)
                .set("maxConcurrentActivityExecutionSize", actConc).set("useTimeskipping", false).set("temporalSdk", "1.31.0");
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                .setUseTimeskipping(false)
                .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder().build())
                .build());
        try {
            Worker worker = env.newWorker("bench", io.temporal.worker.WorkerOptions.newBuilder()
                    .setMaxConcurrentWorkflowTaskExecutionSize(wfConc)
                    .setMaxConcurrentActivityExecutionSize(actConc)
                    .build());
            worker.registerWorkflowImplementationTypes(HelloWorkflowImpl.class);
            worker.registerActivitiesImplementations(new HelloActivitiesImpl());
            env.start();
            WorkflowClient client = env.getWorkflowClient();
            loop(client, warmup, "w", inflight);
            long t0 = System.nanoTime();
            TaskhubBench.Loop loop = loop(client, n, "m", inflight);
            double secs = (loop.lastFinishNanos.get() - loop.firstStartNanos) / 1e9;
            r.seconds = Stats.round((System.nanoTime() - t0) / 1e9);
            r.metric("completed", loop.signalled.get()).metric("start_errors", loop.errors.get());
            r.metric("orchestrations_per_s", Stats.round1(loop.signalled.get() / secs));
            r.metric("activities_per_s", Stats.round1(loop.signalled.get() * 5 / secs));
            r.metric("window_s", Stats.round(secs));
            r.metrics.putAll(new Stats(loop.signalLatencies()).summary("latency", false));
            r.note("latency = WorkflowClient.start to the workflow result future completing (in-process test server)");
        } finally {
            env.close();
        }
        return r;
    }

    private static TaskhubBench.Loop loop(WorkflowClient client, int n, String prefix, int inflight) throws InterruptedException {
        TaskhubBench.Loop loop = new TaskhubBench.Loop(n, prefix, inflight);
        if (n == 0) {
            return loop;
        }
        loop.submitAll(2, id -> {
            HelloWorkflow wf = client.newWorkflowStub(HelloWorkflow.class,
                    WorkflowOptions.newBuilder().setTaskQueue("bench").setWorkflowId(id).build());
            WorkflowClient.execute(wf::run, "bench").whenComplete((res, err) -> {
                if (err != null) {
                    loop.errors.incrementAndGet();
                }
                loop.finished(id);
            });
        });
        loop.done.await(Math.max(120, n / 5L), TimeUnit.SECONDS);
        return loop;
    }
}

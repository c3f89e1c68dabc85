package dev.taskhub.benchmarks;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.StartWorkflowOptions;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Queue;
import dev.dbos.transact.workflow.Workflow;

import java.util.concurrent.TimeUnit;

/**
 * DBOS Transact on the same PostgreSQL (own scratch database {@code dbos_bench}, recreated per run): the hello
 * sequence as a workflow of 5 steps, the same closed loop as Taskhub's. DBOS runs steps inline in the workflow's
 * thread and checkpoints each step's output. Two modes: workflows started directly ({@code dbos}), and enqueued on a
 * DBOS queue that the same process works off ({@code dbos-queue}). Completion is signalled at the end of the
 * workflow, after its fifth step was checkpointed.
 */
final class DbosBench {
    static final String DB = "dbos_bench";
    static volatile TaskhubBench.Loop current;

    /** The workflow interface DBOS proxies. */
    public interface Hello {
        String hello(String name);
    }

    /** Five steps, the same string concat as Taskhub's activity. */
    public static final class HelloWorkflow implements Hello {
        private final DBOS dbos;

        HelloWorkflow(DBOS dbos) {
            this.dbos = dbos;
        }

        @Workflow
        @Override
        public String hello(String name) {
            StringBuilder out = new StringBuilder();
            for (int i = 1; i <= 5; i++) {
                int step = i;
                out.append(dbos.runStep(() -> "Hello " + name + "#" + step + "!", "hello" + step)).append(' ');
            }
            TaskhubBench.Loop loop = current;
            if (loop != null) {
                loop.finished(DBOS.workflowId());
            }
            return out.toString();
        }
    }

    private DbosBench() {}

    static Result run(Args args, boolean queued) throws Exception {
        String system = queued ? "dbos-queue" : "dbos";
        Result r = new Result("hello", system);
        int n = args.getInt("n", 3_000);
        int warmup = args.getInt("warmup", 200);
        int inflight = args.getInt("inflight", 256);
        r.set("n", n).set("warmup", warmup).set("inflight", inflight).set("dbos", "1.1.0-m6").set("database", DB)
                .set("mode", queued ? "workflows enqueued on a DBOS queue" : "workflows started directly, steps inline");
        Backends.ensureDatabase(DB, true);
        DBOSConfig config = DBOSConfig.defaults("taskhub-bench")
                .withDatabaseUrl("jdbc:postgresql://" + Backends.PG_HOST + ":" + Backends.PG_PORT + "/" + DB)
                .withDbUser(Backends.PG_USER).withDbPassword(System.getenv().getOrDefault("PGPASSWORD", ""))
                .withAdminServer(false);
        Queue queue = new Queue("bench");
        try (DBOS dbos = new DBOS(config)) {
            if (queued) {
                dbos.registerQueue(queue);
            }
            Hello hello = dbos.registerProxy(Hello.class, new HelloWorkflow(dbos));
            dbos.launch();
            loop(dbos, hello, queued ? queue : null, warmup, "w", inflight);
            Thread.sleep(1500);
            long[] x0 = Backends.xacts(DB);
            long t0 = System.nanoTime();
            TaskhubBench.Loop loop = loop(dbos, hello, queued ? queue : null, n, "m", inflight);
            double secs = (loop.lastFinishNanos.get() - loop.firstStartNanos) / 1e9;
            r.seconds = Stats.round((System.nanoTime() - t0) / 1e9);
            Thread.sleep(1500);
            long[] x1 = Backends.xacts(DB);
            r.metric("completed", loop.signalled.get()).metric("start_errors", loop.errors.get());
            r.metric("orchestrations_per_s", Stats.round1(loop.signalled.get() / secs));
            r.metric("activities_per_s", Stats.round1(loop.signalled.get() * 5 / secs));
            r.metric("window_s", Stats.round(secs));
            r.metrics.putAll(new Stats(loop.signalLatencies()).summary("latency", false));
            r.metric("pg_xact_commit", x1[0] - x0[0]).metric("pg_xact_rollback", x1[1] - x0[1]);
            r.metric("pg_xacts_per_orchestration", Stats.round((double) (x1[0] - x0[0]) / n));
            r.note("latency = startWorkflow to the end of the workflow's last step (checkpointed)");
            r.note("pg_xact counts may miss up to ~1 s of the pooled connections' statistics (flushed at most once per second)");
        } finally {
            current = null;
        }
        return r;
    }

    private static TaskhubBench.Loop loop(DBOS dbos, Hello hello, Queue queue, int n, String prefix, int inflight)
            throws InterruptedException {
        TaskhubBench.Loop loop = new TaskhubBench.Loop(n, prefix, inflight);
        current = loop;
        if (n == 0) {
            return loop;
        }
        loop.submitAll(2, id -> {
            StartWorkflowOptions options = queue == null ? new StartWorkflowOptions(id) : new StartWorkflowOptions(queue).withWorkflowId(id);
            dbos.startWorkflow(() -> hello.hello("bench"), options);
        });
        if (!loop.done.await(Math.max(120, n / 5L), TimeUnit.SECONDS)) {
            System.err.println("DBOS: timed out with " + loop.done.getCount() + " unfinished");
        }
        return loop;
    }
}

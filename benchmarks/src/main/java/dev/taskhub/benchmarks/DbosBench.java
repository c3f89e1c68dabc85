package dev.taskhub.benchmarks;

import dev.dbos.transact.DBOS;
import dev.dbos.transact.StartWorkflowOptions;
import dev.dbos.transact.config.DBOSConfig;
import dev.dbos.transact.workflow.Queue;
import dev.dbos.transact.workflow.Workflow;

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
            r.note("latency = startWorkflow to the end of the workflow's last step (checkpointed)");
            new PeerRun(queued ? "DBOS queue" : "DBOS", DB, inflight, loop -> current = loop, id -> {
                StartWorkflowOptions options = queued ? new StartWorkflowOptions(queue).withWorkflowId(id) : new StartWorkflowOptions(id);
                dbos.startWorkflow(() -> hello.hello("bench"), options);
            }).measure(r, n, warmup);
        }
        return r;
    }
}

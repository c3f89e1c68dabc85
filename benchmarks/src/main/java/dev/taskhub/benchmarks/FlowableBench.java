package dev.taskhub.benchmarks;

import org.flowable.common.engine.impl.history.HistoryLevel;
import org.flowable.engine.ProcessEngine;
import org.flowable.engine.ProcessEngineConfiguration;
import org.flowable.engine.RuntimeService;
import org.flowable.engine.delegate.DelegateExecution;
import org.flowable.engine.delegate.JavaDelegate;
import org.flowable.engine.impl.cfg.StandaloneProcessEngineConfiguration;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Flowable 7 embedded on the same PostgreSQL (own scratch database {@code flowable_bench}, recreated per run): the
 * hello sequence as a BPMN process of 5 {@code flowable:async="true"} service tasks, the same closed loop as Taskhub's.
 * Completion is signalled from the last delegate; the process ends in that same job transaction.
 */
final class FlowableBench {
    static final String DB = "flowable_bench";
    static volatile TaskhubBench.Loop current;

    /** The service task: the same string concat as Taskhub's activity. */
    public static final class HelloDelegate implements JavaDelegate {
        @Override
        public void execute(DelegateExecution execution) {
            String step = execution.getCurrentActivityId();
            execution.setVariable("out_" + step, "Hello " + execution.getVariable("name") + "#" + step + "!");
            TaskhubBench.Loop loop = current;
            if (loop != null && step.equals("hello5")) {
                loop.finished(execution.getProcessInstanceBusinessKey());
            }
        }
    }

    private FlowableBench() {}

    static Result run(Args args) throws Exception {
        Result r = new Result("hello", "flowable");
        int n = args.getInt("n", 3_000);
        int warmup = args.getInt("warmup", 200);
        int inflight = args.getInt("inflight", 128);
        int pool = args.getInt("flowable-pool", 8);
        int queue = args.getInt("flowable-queue", 2048);
        int acquire = args.getInt("flowable-acquire", 64);
        int acquireWaitMs = args.getInt("flowable-acquire-wait-ms", 100);
        int jdbc = args.getInt("flowable-jdbc", 16);
        r.set("n", n).set("warmup", warmup).set("inflight", inflight).set("asyncExecutorCorePoolSize", pool)
                .set("asyncExecutorMaxPoolSize", pool).set("asyncExecutorThreadPoolQueueSize", queue)
                .set("asyncExecutorMaxAsyncJobsDuePerAcquisition", acquire)
                .set("asyncExecutorDefaultAsyncJobAcquireWaitTimeMs", acquireWaitMs)
                .set("jdbcMaxActiveConnections", jdbc).set("historyLevel", "audit").set("flowable", "7.1.0").set("database", DB);
        Backends.ensureDatabase(DB, true);
        StandaloneProcessEngineConfiguration cfg = (StandaloneProcessEngineConfiguration)
                ProcessEngineConfiguration.createStandaloneProcessEngineConfiguration();
        cfg.setJdbcUrl(Backends.pgJdbcUrl(DB));
        cfg.setJdbcDriver("org.postgresql.Driver");
        cfg.setJdbcUsername(Backends.PG_USER);
        cfg.setJdbcMaxActiveConnections(jdbc);
        cfg.setDatabaseSchemaUpdate(ProcessEngineConfiguration.DB_SCHEMA_UPDATE_TRUE);
        cfg.setHistoryLevel(HistoryLevel.AUDIT);
        cfg.setDisableIdmEngine(true);
        cfg.setDisableEventRegistry(true);
        cfg.setAsyncExecutorActivate(true);
        cfg.setAsyncExecutorCorePoolSize(pool);
        cfg.setAsyncExecutorMaxPoolSize(pool);
        cfg.setAsyncExecutorThreadPoolQueueSize(queue);
        cfg.setAsyncExecutorMaxAsyncJobsDuePerAcquisition(acquire);
        cfg.setAsyncExecutorDefaultAsyncJobAcquireWaitTime(acquireWaitMs);
        cfg.setAsyncExecutorDefaultTimerJobAcquireWaitTime(1000);
        ProcessEngine engine = cfg.buildProcessEngine();
        try {
            engine.getRepositoryService().createDeployment().addClasspathResource("bench-hello.bpmn20.xml").deploy();
            RuntimeService rs = engine.getRuntimeService();
            loop(rs, warmup, "w", inflight);
            Thread.sleep(1500);
            long[] x0 = Backends.xacts(DB);
            long t0 = System.nanoTime();
            TaskhubBench.Loop loop = loop(rs, n, "m", inflight);
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
            r.note("latency = startProcessInstanceByKey to the last delegate running (the process ends in that job's transaction)");
            r.note("pg_xact counts may miss up to ~1 s of the pooled connections' statistics (flushed at most once per second)");
        } finally {
            current = null;
            engine.close();
        }
        return r;
    }

    private static TaskhubBench.Loop loop(RuntimeService rs, int n, String prefix, int inflight) throws InterruptedException {
        TaskhubBench.Loop loop = new TaskhubBench.Loop(n, prefix, inflight);
        current = loop;
        if (n == 0) {
            return loop;
        }
        loop.submitAll(2, id -> rs.startProcessInstanceByKey("benchHello", id, Map.of("name", "bench")));
        if (!loop.done.await(Math.max(120, n / 5L), TimeUnit.SECONDS)) {
            System.err.println("Flowable: timed out with " + loop.done.getCount() + " unfinished");
        }
        return loop;
    }
}

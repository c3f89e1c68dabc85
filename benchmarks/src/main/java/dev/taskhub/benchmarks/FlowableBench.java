package dev.taskhub.benchmarks;

import org.flowable.common.engine.impl.history.HistoryLevel;
import org.flowable.engine.ProcessEngine;
import org.flowable.engine.ProcessEngineConfiguration;
import org.flowable.engine.RuntimeService;
import org.flowable.engine.delegate.DelegateExecution;
import org.flowable.engine.delegate.JavaDelegate;
import org.flowable.engine.impl.cfg.StandaloneProcessEngineConfiguration;

import java.util.Map;

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
            r.note("latency = startProcessInstanceByKey to the last delegate running (the process ends in that job's transaction)");
            new PeerRun("Flowable", DB, inflight, loop -> current = loop,
                    id -> rs.startProcessInstanceByKey("benchHello", id, Map.of("name", "bench"))).measure(r, n, warmup);
        } finally {
            engine.close();
        }
        return r;
    }
}

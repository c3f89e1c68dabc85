package dev.taskhub.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the PostgreSQL peers (Flowable, DBOS) share: the hello sequence in the harness's closed loop, a warm-up, and
 * the measured run with the database's transaction counts around it. The peer starts an instance under the loop's
 * id and calls {@link TaskhubBench.Loop#finished(String)} when its last step has run.
 */
final class PeerRun {
    private final String peer;
    private final String database;
    private final int inflight;
    private final Consumer<TaskhubBench.Loop> publish;
    private final Consumer<String> start;

    /**
     * @param publish makes the running loop known to the peer's completion callback (null when no loop runs)
     * @param start   starts one instance under the given id
     */
    PeerRun(String peer, String database, int inflight, Consumer<TaskhubBench.Loop> publish, Consumer<String> start) {
        this.peer = peer;
        this.database = database;
        this.inflight = inflight;
        this.publish = publish;
        this.start = start;
    }

    /** Runs {@code warmup} instances, then {@code n} measured ones, and records the figures in {@code r}. */
    void measure(Result r, int n, int warmup) throws Exception {
        try {
            loop(warmup, "w");
            Thread.sleep(1500);
            long[] x0 = Backends.xacts(database);
            long t0 = System.nanoTime();
            TaskhubBench.Loop loop = loop(n, "m");
            double secs = (loop.lastFinishNanos.get() - loop.firstStartNanos) / 1e9;
            r.seconds = Stats.round((System.nanoTime() - t0) / 1e9);
            Thread.sleep(1500);
            long[] x1 = Backends.xacts(database);
            r.metric("completed", loop.signalled.get()).metric("start_errors", loop.errors.get());
            r.metric("orchestrations_per_s", Stats.round1(loop.signalled.get() / secs));
            r.metric("activities_per_s", Stats.round1(loop.signalled.get() * 5 / secs));
            r.metric("window_s", Stats.round(secs));
            r.metrics.putAll(new Stats(loop.signalLatencies()).summary("latency", false));
            r.metric("pg_xact_commit", x1[0] - x0[0]).metric("pg_xact_rollback", x1[1] - x0[1]);
            r.metric("pg_xacts_per_orchestration", Stats.round((double) (x1[0] - x0[0]) / n));
            r.note("pg_xact counts may miss up to ~1 s of the pooled connections' statistics (flushed at most once per second)");
        } finally {
            publish.accept(null);
        }
    }

    private TaskhubBench.Loop loop(int n, String prefix) throws InterruptedException {
        TaskhubBench.Loop loop = new TaskhubBench.Loop(n, prefix, inflight);
        publish.accept(loop);
        if (n == 0) {
            return loop;
        }
        loop.submitAll(2, start);
        if (!loop.done.await(Math.max(120, n / 5L), TimeUnit.SECONDS)) {
            System.err.println(peer + ": timed out with " + loop.done.getCount() + " unfinished");
        }
        return loop;
    }
}

package dev.taskhub.benchmarks;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.jobs.BulkJob;
import dev.taskhub.jobs.BulkJobProgress;
import dev.taskhub.jobs.BulkJobRequest;
import dev.taskhub.jobs.BulkJobs;
import dev.taskhub.jobs.BulkOperation;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A bulk job over N instances (loaded as {@code mgmt} loads them), run by a worker in a separate JVM that is killed
 * with SIGKILL once the job has handled half of them; a second worker JVM takes the job over. {@code --operation purge}
 * (default): N finished instances; {@code --operation terminate}: N running instances (waiting for an event), and
 * after the job also the time until the workers have applied every terminate. Measures the job's wall time (start to
 * completed, the kill and the lease wait included) and checks that it handled every instance exactly once (matched =
 * done = N) and that nothing is left (purge) or everything is terminated (terminate). On the in-memory provider (one
 * process only) the worker runs in this JVM and nothing is killed.
 */
final class BulkBench {
    private final Args args;
    private final String provider;

    BulkBench(Args args, String provider) {
        this.args = args;
        this.provider = provider;
    }

    Result run() throws Exception {
        int n = args.getInt("n", provider.equals("azure-storage") ? 2_000 : 1_000_000);
        boolean separate = !provider.equals("inmemory");
        boolean kill = separate && !args.flag("no-kill");
        Result r = new Result("bulk", "taskhub/" + provider);
        String hub = TaskhubBench.hubName("bulk");
        BulkOperation operation = BulkOperation.parse(args.get("operation", "purge"));
        if (operation != BulkOperation.PURGE && operation != BulkOperation.TERMINATE) {
            throw new IllegalArgumentException("--operation must be purge or terminate");
        }
        boolean purge = operation == BulkOperation.PURGE;
        String key = "bulk_" + operation.wireName();
        r.set("n", n).set("taskHub", hub).set("operation", operation.wireName()).set("pageSize", 1000).set("killHalfway", kill);
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        long stepMicros = 86_400_000_000L * 30 / Math.max(1, n);
        List<Process> workers = new ArrayList<>();
        TaskHubWorker inProcess = null;
        try (StorageProvider p = Backends.open(provider, hub, args)) {
            long t = System.nanoTime();
            if (provider.equals("postgres")) {
                ManagementBench loader = new ManagementBench(args, provider);
                loader.loadRunning = !purge;
                loader.copyLoad(p, hub, n, 0, base, stepMicros);
            } else if (!purge) {
                throw new IllegalArgumentException("--operation terminate loads running instances with COPY: PostgreSQL only");
            } else {
                ManagementBench.spiLoad(p, n, base, stepMicros, provider.equals("inmemory") ? 1 : 4);
            }
            r.metric("load_s", Stats.round((System.nanoTime() - t) / 1e9));
            TaskHubClient client = new TaskHubClient(p);
            BulkJobs jobs = new BulkJobs(client);
            if (separate) {
                workers.add(startWorker(hub));
            } else {
                inProcess = registered(TaskHubWorker.builder(p)).build().start();
            }
            long start = System.nanoTime();
            BulkJob job = jobs.start(BulkJobRequest.builder(operation).pageSize(1000).build());
            double killedAt = -1;
            long killedMatched = -1;
            double resumedAt = -1;
            long deadline = start + TimeUnit.SECONDS.toNanos(args.getInt("timeout-s", 900));
            while (!job.state().isFinished() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                job = jobs.get(job.jobId()).orElseThrow();
                double now = (System.nanoTime() - start) / 1e9;
                if (kill && killedAt < 0 && job.progress().matched() >= n / 2) {
                    workers.get(0).destroyForcibly().waitFor();
                    killedAt = now;
                    killedMatched = job.progress().matched();
                    workers.add(startWorker(hub));
                } else if (killedAt >= 0 && resumedAt < 0 && job.progress().matched() > killedMatched) {
                    resumedAt = now;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            r.metric(key + "_s", Stats.round(seconds)).metric(key + "_per_s", Stats.round1(job.progress().matched() / seconds));
            r.metric("matched", job.progress().matched()).metric("done", job.progress().done())
                    .metric("skipped", job.progress().skipped()).metric("failed", job.progress().failed());
            if (kill) {
                r.metric("killed_at_s", Stats.round(killedAt)).metric("killed_at_matched", killedMatched)
                        .metric("progress_again_after_kill_s", Stats.round(resumedAt - killedAt));
            }
            long left;
            if (purge) {
                left = client.countInstances(InstanceQuery.builder().build()).byName().getOrDefault(ManagementBench.NAME, java.util.Map.of())
                        .values().stream().mapToLong(Long::longValue).sum();
                r.metric("instances_left", left);
            } else {
                // the workers apply the terminates after the job queued them: wait until none is left running
                InstanceQuery running = InstanceQuery.builder().statuses(RuntimeStatus.RUNNING, RuntimeStatus.PENDING).build();
                while ((left = unfinished(client, running)) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
                r.metric("bulk_terminate_applied_s", Stats.round((System.nanoTime() - start) / 1e9)).metric("instances_not_terminated", left);
            }
            // Without a kill every instance is matched and done. With one, the step the dead worker was running runs again:
            // instances it had already reached count as skipped ("already Terminated") or, purged, are no longer matched.
            // Either way nothing may fail and nothing may be left.
            BulkJobProgress progress = job.progress();
            boolean exact = progress.matched() == n && progress.done() == n;
            boolean afterKill = kill && progress.done() + progress.skipped() == progress.matched() && progress.matched() <= n;
            if (job.state() != BulkJob.State.COMPLETED || progress.failed() != 0 || left != 0 || !(exact || afterKill)) {
                r.status = "failed";
                r.note("expected a completed job with matched = done = " + n + (kill ? " (or, after the kill, done + skipped = matched)" : "")
                        + ", none failed and nothing left " + (purge ? "" : "running ") + "; got " + job.state() + " " + progress + ", " + left + " left");
            }
            r.note(kill ? "worker JVM killed (SIGKILL) once the job had matched half; a second worker JVM took over after the "
                    + "dead worker's locks were freed (PostgreSQL: when its session ended, see crashTakeover; otherwise when its 30 s leases ran out)" : "worker in this JVM; nothing killed");
            if (!args.flag("keep")) {
                p.deleteTaskHub();
            }
        } finally {
            for (Process w : workers) {
                w.destroyForcibly().waitFor();
            }
            if (inProcess != null) {
                inProcess.close();
            }
        }
        return r;
    }

    /** A worker in a JVM of its own on the same hub, with the WorkerOptions defaults; its output goes to a temp file. */
    private Process startWorker(String hub) throws Exception {
        Path log = Files.createTempFile("taskhub-bulk-worker", ".log");
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), "bulk-worker", "--hub", hub));
        cmd.addAll(args.passThrough());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The worker JVM: runs until killed. */
    static void worker(Args args) throws Exception {
        String provider = Backends.normalize(args.get("provider", "postgres"));
        StorageProvider p = Backends.open(provider, args.get("hub", null), args);
        registered(TaskHubWorker.builder(p)).build().start();
        Thread.currentThread().join();
    }

    /** The loaded instances' orchestrator (running ones wait for an event that never comes). */
    private static TaskHubWorker.Builder registered(TaskHubWorker.Builder worker) {
        return worker.addOrchestrator(ManagementBench.NAME, ctx -> ctx.waitForExternalEvent("never", String.class).await());
    }

    private static long unfinished(TaskHubClient client, InstanceQuery query) {
        return client.countInstances(query).byName().getOrDefault(ManagementBench.NAME, java.util.Map.of()).values().stream()
                .mapToLong(Long::longValue).sum();
    }
}

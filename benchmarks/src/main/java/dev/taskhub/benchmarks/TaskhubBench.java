package dev.taskhub.benchmarks;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.orchestration.Task;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** The Taskhub workloads that run orchestrations: hello sequence, fan-out/fan-in, timers, idle pickup latency. */
final class TaskhubBench {
    static final String HELLO = "BenchHelloSequence";
    static final String SAY_HELLO = "BenchSayHello";
    static final String HELLO_LOCAL = "BenchHelloSequenceLocal";
    static final String FAN_OUT = "BenchFanOutFanIn";
    static final String FAN_ITEM = "BenchFanItem";
    static final String TIMER = "BenchTimer";
    static final String TIMER_FIRED = "BenchTimerFired";
    static final String PICKUP = "BenchPickup";

    private final Args args;
    private final String provider;
    private final String system;

    TaskhubBench(Args args, String provider) {
        this.args = args;
        this.provider = provider;
        this.system = "taskhub/" + provider;
    }

    // ---- settings ----------------------------------------------------------------------------------------------

    private int def(int inmemory, int postgres, int azure) {
        return switch (provider) {
            case "postgres" -> postgres;
            case "azure-storage" -> azure;
            default -> inmemory;
        };
    }

    /**
     * {@code --observe metrics,tracing}: Micrometer metrics into a simple registry and/or OpenTelemetry spans through an
     * SDK whose batch exporter drops them, to measure what observation costs; none by default.
     */
    private dev.taskhub.observe.TaskHubObserver observers(Result r) {
        String observe = args.get("observe", "");
        dev.taskhub.observe.TaskHubObserver o = dev.taskhub.observe.TaskHubObserver.NONE;
        if (observe.contains("metrics")) {
            o = dev.taskhub.observe.TaskHubObserver.of(o, dev.taskhub.micrometer.TaskHubMetrics.of(
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        }
        if (observe.contains("tracing")) {
            io.opentelemetry.sdk.trace.export.SpanExporter drop = new io.opentelemetry.sdk.trace.export.SpanExporter() {
                @Override
                public io.opentelemetry.sdk.common.CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
                    return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
                }

                @Override
                public io.opentelemetry.sdk.common.CompletableResultCode flush() {
                    return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
                }

                @Override
                public io.opentelemetry.sdk.common.CompletableResultCode shutdown() {
                    return io.opentelemetry.sdk.common.CompletableResultCode.ofSuccess();
                }
            };
            io.opentelemetry.sdk.OpenTelemetrySdk sdk = io.opentelemetry.sdk.OpenTelemetrySdk.builder()
                    .setTracerProvider(io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
                            .addSpanProcessor(io.opentelemetry.sdk.trace.export.BatchSpanProcessor.builder(drop).build()).build())
                    .build();
            o = dev.taskhub.observe.TaskHubObserver.of(o, dev.taskhub.opentelemetry.TaskHubTracing.of(sdk));
        }
        if (!observe.isEmpty()) {
            r.set("observe", observe);
        }
        return o;
    }

    WorkerOptions workerOptions(Result r) {
        // the library's defaults unless a flag says otherwise: what a user who sets nothing gets
        WorkerOptions d = WorkerOptions.builder().build();
        WorkerOptions o = WorkerOptions.builder()
                .orchestrationConcurrency(args.getInt("orch-concurrency", d.orchestrationConcurrency()))
                .orchestrationBatchSize(args.getInt("orch-batch", d.orchestrationBatchSize()))
                .activityConcurrency(args.getInt("act-concurrency", d.activityConcurrency()))
                .activityBatchSize(args.getInt("act-batch", d.activityBatchSize()))
                .pollWait(Duration.ofMillis(args.getInt("poll-wait-ms", (int) d.pollWait().toMillis())))
                .historyCacheSize(args.getInt("history-cache", d.historyCacheSize()))
                .observer(observers(r))
                .build();
        r.set("orchestrationConcurrency", o.orchestrationConcurrency());
        r.set("orchestrationBatchSize", o.orchestrationBatchSize());
        r.set("activityConcurrency", o.activityConcurrency());
        r.set("activityBatchSize", o.activityBatchSize());
        r.set("pollWaitMs", o.pollWait().toMillis());
        r.set("historyCacheSize", o.historyCacheSize());
        if (provider.equals("postgres")) {
            Map<String, String> ps = new java.util.TreeMap<>(args.providerSettings);
            ps.putIfAbsent("taskhub.postgres.poolSize", "16");
            r.set("providerSettings", ps);
        } else if (!args.providerSettings.isEmpty()) {
            r.set("providerSettings", args.providerSettings);
        }
        return o;
    }

    static String hubName(String workload) {
        // lower-case letters and digits only: valid for every provider (Azure table and queue names included)
        return "bench" + workload.replaceAll("[^a-z]", "") + Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
    }

    private StorageProvider open(String hub) {
        return Backends.open(provider, hub, args);
    }

    // ---- shared closed-loop driver -------------------------------------------------------------------------------

    /**
     * Starts {@code n} instances with ids {@code prefix + index}, keeping at most {@code inflight} unfinished. An
     * instance counts as finished when {@link #finished} is called for it (from inside its last activity), so the
     * loop costs no storage round trips of its own.
     */
    static final class Loop {
        final int n;
        final String prefix;
        final java.util.concurrent.Semaphore permits;
        final Map<String, Long> started = new ConcurrentHashMap<>();
        final CountDownLatch done;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicLong lastFinishNanos = new AtomicLong();
        final long[] signalLatencyMicros;
        final AtomicInteger signalled = new AtomicInteger();
        volatile long firstStartNanos;

        Loop(int n, String prefix, int inflight) {
            this.n = n;
            this.prefix = prefix;
            this.permits = new java.util.concurrent.Semaphore(inflight);
            this.done = new CountDownLatch(n);
            this.signalLatencyMicros = new long[n];
        }

        String id(int i) {
            String digits = Integer.toString(i);
            return prefix + "0000000".substring(Math.min(7, digits.length())) + digits;
        }

        void finished(String instanceId) {
            long now = System.nanoTime();
            Long t0 = started.remove(instanceId);
            if (t0 == null) {
                return; // a redelivered activity, or not ours
            }
            int k = signalled.getAndIncrement();
            if (k < signalLatencyMicros.length) {
                signalLatencyMicros[k] = (now - t0) / 1000;
            }
            lastFinishNanos.accumulateAndGet(now, Math::max);
            permits.release();
            done.countDown();
        }

        /** Runs the submitters; each calls {@code start(id)}; returns when all are submitted. */
        void submitAll(int threads, Consumer<String> start) throws InterruptedException {
            firstStartNanos = System.nanoTime();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    while (true) {
                        int i = next.getAndIncrement();
                        if (i >= n) {
                            return;
                        }
                        try {
                            permits.acquire();
                        } catch (InterruptedException e) {
                            return;
                        }
                        String id = id(i);
                        started.put(id, System.nanoTime());
                        try {
                            start.accept(id);
                        } catch (RuntimeException e) {
                            if (errors.incrementAndGet() <= 3) {
                                System.err.println("start of " + id + " failed: " + e);
                            }
                            started.remove(id);
                            permits.release();
                            done.countDown();
                        }
                    }
                }, "bench-submitter-" + t);
                th.setDaemon(true);
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join();
            }
        }

        long[] signalLatencies() {
            return java.util.Arrays.copyOf(signalLatencyMicros, Math.min(signalled.get(), signalLatencyMicros.length));
        }
    }

    /** Polls (cheaply: one page of size 1) until no instance with the prefix is pending or running. */
    static boolean awaitNoneActive(TaskHubClient client, String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        InstanceQuery q = InstanceQuery.builder().instanceIdPrefix(prefix)
                .statuses(RuntimeStatus.PENDING, RuntimeStatus.RUNNING).pageSize(1).build();
        while (System.nanoTime() < deadline) {
            if (client.queryInstances(q).instances().isEmpty()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Start-to-completion of every instance with the prefix, from the stored createdAt and lastUpdatedAt. */
    record Completion(long[] latencyMicros, Instant firstCreated, Instant lastUpdated, int completed, int other) {
        double seconds() {
            return Duration.between(firstCreated, lastUpdated).toNanos() / 1e9;
        }
    }

    static Completion scan(TaskHubClient client, String prefix) {
        List<Long> lat = new ArrayList<>();
        Instant first = null;
        Instant last = null;
        int completed = 0;
        int other = 0;
        String token = null;
        do {
            QueryResult page = client.queryInstances(InstanceQuery.builder().instanceIdPrefix(prefix).pageSize(1000)
                    .continuationToken(token).build());
            for (OrchestrationMetadata m : page.instances()) {
                if (m.runtimeStatus() == RuntimeStatus.COMPLETED) {
                    completed++;
                    lat.add(Duration.between(m.createdAt(), m.lastUpdatedAt()).toNanos() / 1000);
                    first = first == null || m.createdAt().isBefore(first) ? m.createdAt() : first;
                    last = last == null || m.lastUpdatedAt().isAfter(last) ? m.lastUpdatedAt() : last;
                } else {
                    other++;
                }
            }
            token = page.continuationToken();
        } while (token != null);
        return new Completion(lat.stream().mapToLong(Long::longValue).toArray(), first, last, completed, other);
    }

    // ---- 1. hello sequence ---------------------------------------------------------------------------------------

    static String helloOrchestrator(OrchestrationContext ctx, Loop[] current) {
        return helloOrchestrator(ctx, current, false);
    }

    /** The hello sequence; with {@code local}, its activities are local activities (one episode per orchestration). */
    static String helloOrchestrator(OrchestrationContext ctx, Loop[] current, boolean local) {
        String name = ctx.getInput(String.class);
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            String input = name + "#" + i;
            out.append((local ? ctx.callLocalActivity(SAY_HELLO, input, String.class) : ctx.callActivity(SAY_HELLO, input, String.class))
                    .await()).append(' ');
        }
        signalDone(ctx, current);
        return out.toString();
    }

    /**
     * Measurement only, no effect on the orchestration: the first (non-replay) time the code reaches its end, the
     * closed loop may start another instance. The stored lastUpdatedAt is still what latency is computed from.
     */
    private static void signalDone(OrchestrationContext ctx, Loop[] current) {
        if (!ctx.isReplaying() && current[0] != null) {
            current[0].finished(ctx.getInstanceId());
        }
    }

    Result hello() throws Exception {
        return throughput("hello", def(120_000, 10_000, 300), def(5_000, 300, 20), def(128, 256, 64));
    }

    /** The hello sequence with local activities: run by the orchestration worker, recorded with its checkpoint. */
    Result helloLocal() throws Exception {
        return throughput("hello-local", def(120_000, 10_000, 300), def(5_000, 300, 20), def(128, 256, 64));
    }

    Result fanout() throws Exception {
        return throughput("fanout", def(5_000, 1_000, 10), def(50, 50, 1), def(8, 4, 2));
    }

    private Result throughput(String workload, int defaultN, int defaultWarmup, int defaultInflight) throws Exception {
        boolean fan = workload.equals("fanout");
        Result r = new Result(workload, system);
        int n = args.getInt("n", defaultN);
        int warmup = args.getInt("warmup", defaultWarmup);
        int inflight = args.getInt("inflight", defaultInflight);
        int width = args.getInt("width", 100);
        int submitters = args.getInt("submitters", fan ? Math.min(inflight, 2) : def(2, 4, 4));
        r.set("n", n).set("warmup", warmup).set("inflight", inflight).set("submitters", submitters);
        if (fan) {
            r.set("activitiesPerOrchestration", width);
        }
        WorkerOptions options = workerOptions(r);
        String hub = hubName(workload);
        r.set("taskHub", hub);
        int activitiesPer = fan ? width : 5;

        Loop[] current = new Loop[1];
        TaskHubWorker.Builder wb = null;
        // warm-up: own provider and worker, so PostgreSQL statistics of the measured run start clean
        if (warmup > 0) {
            try (StorageProvider p = open(hub)) {
                TaskHubClient client = new TaskHubClient(p);
                try (TaskHubWorker worker = worker(p, options, current).start()) {
                    runLoop(client, workload, warmup, "w", Math.min(inflight, warmup), submitters, width, current);
                }
            }
        }
        String db = provider.equals("postgres") ? Backends.TASKHUB_DB : null;
        long[] x0 = null;
        if (db != null && !args.has("pg-url")) {
            Thread.sleep(1200);
            x0 = Backends.xacts(db);
        }
        Map<String, Long> counters0;
        Map<String, Long> counters1;
        Double idleRequestsPerS = null;
        long t0;
        long tSignalled;
        long tAllDone;
        Loop loop;
        boolean allDone;
        SpiStats spi;
        try (StorageProvider raw = open(hub)) {
            spi = SpiStats.of(raw);
            StorageProvider p = spi.provider();
            TaskHubClient client = new TaskHubClient(p);
            counters0 = ProviderCounters.read(raw);
            TaskHubWorker worker = worker(p, options, current).start();
            t0 = System.nanoTime();
            loop = runLoop(client, workload, n, "m", inflight, submitters, width, current);
            tSignalled = loop.lastFinishNanos.get();
            allDone = awaitNoneActive(client, "m", Duration.ofSeconds(120));
            tAllDone = System.nanoTime();
            counters1 = ProviderCounters.read(raw);
            r.metric("spi_calls", spi.summary(n));
            if (!counters1.isEmpty()) {
                // what an idle worker costs: requests per second with nothing to do
                Thread.sleep(5000);
                idleRequestsPerS = (ProviderCounters.total(ProviderCounters.read(raw)) - ProviderCounters.total(counters1)) / 5.0;
            }
            worker.close();
        }
        if (x0 != null) {
            Thread.sleep(1500); // exited backends have flushed their statistics
            long[] x1 = Backends.xacts(db);
            long commits = x1[0] - x0[0];
            r.metric("pg_xact_commit", commits).metric("pg_xact_rollback", x1[1] - x0[1]);
            r.metric("pg_xacts_per_orchestration", Stats.round((double) commits / n));
            r.note("pg_xact_commit counts every transaction in database " + db + " during the measured run: starts, "
                    + "episodes, activity locks/results, listener, and ~" + Math.max(1, (tAllDone - tSignalled) / 50_000_000)
                    + " completion polls of the harness");
        }
        Completion c;
        try (StorageProvider p = open(hub)) {
            TaskHubClient client = new TaskHubClient(p);
            c = scan(client, "m");
            if (!args.flag("keep")) {
                p.deleteTaskHub();
            }
        }
        double secs = c.completed() > 0 ? c.seconds() : Double.NaN;
        r.seconds = Stats.round((tAllDone - t0) / 1e9);
        r.metric("completed", c.completed()).metric("not_completed", c.other()).metric("start_errors", loop.errors.get());
        r.metric("orchestrations_per_s", Stats.round1(c.completed() / secs));
        r.metric("activities_per_s", Stats.round1((double) c.completed() * activitiesPer / secs));
        r.metric("window_s", Stats.round(secs));
        r.metrics.putAll(new Stats(c.latencyMicros()).summary("latency", false));
        if (!fan) {
            r.metrics.putAll(new Stats(loop.signalLatencies()).summary("latency_to_final_episode", false));
        }
        if (!allDone) {
            r.status = "failed";
            r.note("instances still running 120 s after the last signal");
        }
        r.note("spi_calls: every SPI call of the measured run (worker, client and the harness's few completion polls): "
                + "calls per orchestration, mean wall ms per call, work items per non-empty lock call or elements per batch");
        r.note("latency = lastUpdatedAt - createdAt of each instance (stored state); throughput = completed / (last "
                + "lastUpdatedAt - first createdAt); closed loop with at most " + inflight + " instances in flight, "
                + "a new one started when an orchestrator first runs past its last await (no status polling)");
        if (!counters1.isEmpty()) {
            Map<String, Long> d = ProviderCounters.delta(counters0, counters1);
            long total = ProviderCounters.total(d);
            int episodes = workload.equals("hello-local") ? 1 : 6;
            r.metric("storage_requests", total);
            r.metric("storage_requests_per_orchestration", Stats.round((double) total / n));
            if (!fan) {
                r.metric("storage_requests_per_episode", Stats.round((double) total / n / episodes));
            }
            Map<String, Object> perOrch = new java.util.TreeMap<>();
            d.forEach((k, v) -> perOrch.put(k, Stats.round((double) v / n)));
            r.metric("storage_requests_per_orchestration_by_operation", perOrch);
            if (idleRequestsPerS != null) {
                r.metric("idle_storage_requests_per_s", Stats.round1(idleRequestsPerS));
                double busy = total - idleRequestsPerS * (tAllDone - t0) / 1e9;
                r.metric("storage_requests_per_orchestration_minus_idle_polling", Stats.round(busy / n));
            }
            r.note("storage requests: the provider's own counters (every try, retries included) over the measured run, "
                    + "incl. the harness's completion polls; episodes per orchestration: "
                    + (fan ? "2 to " + (1 + width) + " (results that arrive together share an episode)"
                    : episodes == 1 ? "1 (local activities run in the start's episode)" : "6 (start + one per activity result)"));
        }
        return r;
    }

    private TaskHubWorker worker(StorageProvider p, WorkerOptions options, Loop[] current) {
        return TaskHubWorker.builder(p).options(options)
                .addOrchestrator(HELLO, ctx -> helloOrchestrator(ctx, current))
                .addOrchestrator(HELLO_LOCAL, ctx -> helloOrchestrator(ctx, current, true))
                .addActivity(SAY_HELLO, ctx -> "Hello " + ctx.getInput(String.class) + "!")
                .addOrchestrator(FAN_OUT, ctx -> {
                    int width = ctx.getInput(Integer.class);
                    List<Task<Integer>> tasks = new ArrayList<>(width);
                    for (int i = 0; i < width; i++) {
                        tasks.add(ctx.callActivity(FAN_ITEM, i, Integer.class));
                    }
                    long sum = 0;
                    for (int v : ctx.allOf(tasks).await()) {
                        sum += v;
                    }
                    signalDone(ctx, current);
                    return sum;
                })
                .addActivity(FAN_ITEM, ctx -> ctx.getInput(Integer.class) + 1)
                .build();
    }

    private Loop runLoop(TaskHubClient client, String workload, int n, String prefix, int inflight, int submitters, int width,
                         Loop[] current) throws InterruptedException {
        boolean fan = workload.equals("fanout");
        String hello = workload.equals("hello-local") ? HELLO_LOCAL : HELLO;
        Loop loop = new Loop(n, prefix, inflight);
        current[0] = loop;
        if (fan) {
            loop.submitAll(submitters, id -> client.scheduleNewOrchestrationInstance(FAN_OUT, width, NewOrchestrationOptions.withInstanceId(id)));
        } else {
            loop.submitAll(submitters, id -> client.scheduleNewOrchestrationInstance(hello, "bench", NewOrchestrationOptions.withInstanceId(id)));
        }
        long timeoutS = Math.max(120, n / 5L);
        if (!loop.done.await(timeoutS, TimeUnit.SECONDS)) {
            System.err.println("Timed out after " + timeoutS + " s with " + loop.done.getCount() + " of " + n + " unfinished");
        }
        return loop;
    }

    // ---- 3. timers -------------------------------------------------------------------------------------------------

    Result timers() throws Exception {
        Result r = new Result("timers", system);
        // Azurite runs ~10 timer instances/s end to end here: 10,000 would take half an hour, so 1,000 by default
        int n = args.getInt("n", def(10_000, 10_000, 1_000));
        int delayMs = args.getInt("delay-ms", 5_000);
        int submitters = args.getInt("submitters", def(2, 4, 8));
        r.set("n", n).set("timerDelayMs", delayMs).set("submitters", submitters);
        WorkerOptions options = workerOptions(r);
        String hub = hubName("timers");
        r.set("taskHub", hub);
        long xmx = Runtime.getRuntime().maxMemory();
        r.set("maxHeapMb", xmx / (1024 * 1024));

        Map<String, Boolean> seen = new ConcurrentHashMap<>();
        long[] activityLate = new long[n];
        long[] orchestratorLate = new long[n];
        AtomicInteger ai = new AtomicInteger();
        AtomicInteger oi = new AtomicInteger();
        AtomicInteger early = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        AtomicLong maxHeap = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxHeap.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-heap-sampler");
        sampler.setDaemon(true);

        long t0;
        long submitNanos;
        double heapAfterGcMb;
        boolean firedDuringSubmit;
        try (StorageProvider p = open(hub)) {
            TaskHubClient client = new TaskHubClient(p);
            TaskHubWorker worker = TaskHubWorker.builder(p).options(options)
                    .addOrchestrator(TIMER, ctx -> {
                        Instant fireAt = ctx.getCurrentInstant().plusMillis(ctx.getInput(Integer.class));
                        ctx.createTimer(fireAt).await();
                        if (!ctx.isReplaying()) {
                            // measurement only: the first time the code runs past the timer
                            int k = oi.getAndIncrement();
                            if (k < n) {
                                orchestratorLate[k] = micros(Instant.now()) - micros(fireAt);
                            }
                        }
                        ctx.callActivity(TIMER_FIRED, micros(fireAt), Void.class).await();
                        return null;
                    })
                    .addActivity(TIMER_FIRED, ctx -> {
                        long late = micros(Instant.now()) - ctx.getInput(Long.class);
                        if (seen.putIfAbsent(ctx.getInstanceId(), Boolean.TRUE) == null) {
                            int k = ai.getAndIncrement();
                            if (k < n) {
                                activityLate[k] = late;
                            }
                            if (late < 0) {
                                early.incrementAndGet();
                            }
                            done.countDown();
                        }
                        return null;
                    })
                    .build().start();
            System.gc();
            long baseHeap = mem.getHeapMemoryUsage().getUsed();
            r.metric("heap_baseline_after_gc_mb", Stats.round1(baseHeap / 1048576.0));
            sampler.start();
            t0 = System.nanoTime();
            Loop loop = new Loop(n, "t", Integer.MAX_VALUE / 2);
            loop.submitAll(submitters, id -> {
                client.scheduleNewOrchestrationInstance(TIMER, delayMs, NewOrchestrationOptions.withInstanceId(id));
                loop.started.remove(id);
            });
            submitNanos = System.nanoTime() - t0;
            firedDuringSubmit = ai.get() > 0;
            System.gc();
            heapAfterGcMb = mem.getHeapMemoryUsage().getUsed() / 1048576.0;
            if (!done.await(Math.max(300, n / 10L), TimeUnit.SECONDS)) {
                r.status = "failed";
                r.note(done.getCount() + " timers had not fired when the harness gave up");
            }
            sampler.interrupt();
            worker.close();
            if (!args.flag("keep")) {
                p.deleteTaskHub();
            }
        }
        r.seconds = Stats.round((System.nanoTime() - t0) / 1e9);
        r.metric("fired", ai.get()).metric("early", early.get());
        r.metric("start_all_s", Stats.round(submitNanos / 1e9));
        r.metrics.putAll(new Stats(java.util.Arrays.copyOf(activityLate, Math.min(ai.get(), n))).summary("lateness", true));
        r.metrics.putAll(new Stats(java.util.Arrays.copyOf(orchestratorLate, Math.min(oi.get(), n))).summary("lateness_in_orchestrator", true));
        r.metric("heap_used_max_mb", Stats.round1(maxHeap.get() / 1048576.0));
        r.metric("heap_after_gc_all_scheduled_mb", Stats.round1(heapAfterGcMb));
        r.note("lateness = wall clock in the activity called right after the timer minus the intended fire time "
                + "(episode time + delay); lateness_in_orchestrator = first non-replay run past the timer");
        r.note("heap is the whole JVM (worker, client, harness" + (provider.equals("inmemory") ? ", and the in-memory store" : "")
                + "), sampled every 100 ms; after-GC figure taken once all instances were started"
                + (firedDuringSubmit ? " (some timers had already fired by then)" : " (before any timer fired)"));
        return r;
    }

    static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    // ---- 4. idle pickup latency ------------------------------------------------------------------------------------

    Result pickup() throws Exception {
        Result r = new Result("pickup", system);
        int samples = args.getInt("n", def(100, 100, 50));
        int gapMs = args.getInt("gap-ms", 250);
        r.set("samples", samples).set("idleGapMs", gapMs + "-" + (gapMs + 100));
        WorkerOptions options = workerOptions(r);
        String hub = hubName("pickup");
        r.set("taskHub", hub);
        Map<String, Long> firstRun = new ConcurrentHashMap<>();
        Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
        long[] pickup = new long[samples];
        long[] scheduleCall = new long[samples];
        int missed = 0;
        try (StorageProvider p = open(hub)) {
            TaskHubClient client = new TaskHubClient(p);
            try (TaskHubWorker worker = TaskHubWorker.builder(p).options(options)
                    .addOrchestrator(PICKUP, ctx -> {
                        if (!ctx.isReplaying()) {
                            firstRun.putIfAbsent(ctx.getInstanceId(), System.nanoTime());
                            CountDownLatch l = waiting.get(ctx.getInstanceId());
                            if (l != null) {
                                l.countDown();
                            }
                        }
                        return null;
                    }).build().start()) {
                int warm = Math.min(10, samples);
                for (int i = -warm; i < samples; i++) {
                    Thread.sleep(gapMs + ThreadLocalRandom.current().nextInt(100));
                    String id = (i < 0 ? "w" : "p") + String.format("%07d", i + warm);
                    CountDownLatch latch = new CountDownLatch(1);
                    waiting.put(id, latch);
                    long a = System.nanoTime();
                    client.scheduleNewOrchestrationInstance(PICKUP, null, NewOrchestrationOptions.withInstanceId(id));
                    long b = System.nanoTime();
                    boolean ok = latch.await(10, TimeUnit.SECONDS);
                    if (i >= 0) {
                        if (ok) {
                            pickup[i] = (firstRun.get(id) - a) / 1000;
                        } else {
                            pickup[i] = 10_000_000;
                            missed++;
                        }
                        scheduleCall[i] = (b - a) / 1000;
                    }
                }
            }
            if (!args.flag("keep")) {
                p.deleteTaskHub();
            }
        }
        r.metrics.putAll(new Stats(pickup).summary("pickup", true));
        r.metric("pickup_mean_ms", Stats.round(new Stats(pickup).meanMs()));
        r.metrics.putAll(new Stats(scheduleCall).summary("schedule_call", false));
        r.metric("missed_10s", missed);
        r.note("pickup = System.nanoTime in the orchestrator's first non-replay run minus nanoTime just before "
                + "scheduleNewOrchestrationInstance, on an idle hub (worker idle " + gapMs + "-" + (gapMs + 100) + " ms between samples)");
        return r;
    }
}

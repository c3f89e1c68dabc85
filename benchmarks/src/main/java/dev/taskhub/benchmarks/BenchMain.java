package dev.taskhub.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Entry point: {@code java -jar benchmarks/target/taskhub-benchmarks.jar <command> [options]}. See {@link #USAGE}.
 * Every command prints a table and writes {@code benchmarks/results/<timestamp>.json}.
 */
public final class BenchMain {
    static final String USAGE = """
            Taskhub benchmarks
              all                       everything below, each workload in its own JVM, then the comparisons
                [--providers inmemory,postgres,azure-storage] [--only hello,hello-local,fanout,timers,pickup,mgmt,bulk,transfer,pgbench,flowable,dbos,dbos-queue,temporal]
                [--quick]               tiny N everywhere (a smoke run of the whole harness)
                [--keep-database]       PostgreSQL: do not recreate the scratch database before each workload
              hello   --provider P      hello sequence: 5 chained activities per orchestration
              hello-local --provider P  the hello sequence with local activities (run by the orchestration worker)
              fanout  --provider P      fan-out/fan-in: 100 parallel activities summed
              timers  --provider P      10,000 instances each on a 5 s durable timer (run with -Xmx512m to check the heap target)
              pickup  --provider P      idle pickup latency: schedule -> first episode
              mgmt    --provider P      management at scale: load N finished instances, filtered page, full scan, prefix, purge
              bulk    --provider P      a bulk purge job over N finished instances (--operation terminate: N running ones); its worker JVM is killed halfway (--no-kill)
              transfer --provider P     export N finished instances to JSON Lines and import them into a second hub
                                        (PostgreSQL: plus --activity-messages K queued activity messages, default N/10)
              pgbench                   pgbench -i -s 10; -c 8 -j 2 -T 20, and -N
              flowable                  the hello sequence on Flowable 7 (embedded, PostgreSQL)
              dbos                      the hello sequence on DBOS Transact 1.1 (steps inline, PostgreSQL)
              dbos-queue                the same, workflows enqueued on a DBOS queue
              temporal                  the hello sequence on Temporal's in-memory test server
              markdown FILE...          the tables of docs/performance.md from results files (later files win)
              compare BEFORE AFTER      every numeric metric in both files with its change [--threshold PERCENT]
            Providers: inmemory | postgres | azure-storage (aliases pg, azure).
            Common options: --n N  --warmup N  --inflight K  --submitters T
              --orch-concurrency C --orch-batch B --act-concurrency C --act-batch B --poll-wait-ms MS --history-cache N
                (each defaults to the library's WorkerOptions default: what a user who sets nothing gets)
              --observe metrics,tracing (Micrometer metrics and/or OpenTelemetry spans on, to measure their cost)
              --set taskhub.postgres.poolSize=16 (provider settings)  --pg-url JDBC  --azure-connection CS  --keep (do not delete the hub)
              --results DIR (default benchmarks/results)  --result-file F (write only this run's JSON result to F)
            """;

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchMain() {}

    public static void main(String[] argv) throws Exception {
        quietLogs();
        Args args = new Args(argv);
        String cmd = args.command.toLowerCase(Locale.ROOT);
        if (cmd.equals("help") || args.flag("help")) {
            System.out.println(USAGE);
            return;
        }
        if (cmd.equals("compare")) {
            if (args.rest().size() != 2) {
                throw new IllegalArgumentException("compare needs two results files: BEFORE.json AFTER.json");
            }
            Compare.print(args.rest().get(0), args.rest().get(1), Double.parseDouble(args.get("threshold", "0")));
            return;
        }
        if (cmd.equals("bulk-worker")) {
            BulkBench.worker(args); // the worker JVM of the bulk workload: runs until killed
            return;
        }
        if (cmd.equals("markdown")) {
            Markdown.print(args.rest());
            return;
        }
        List<Result> results = new ArrayList<>();
        if (cmd.equals("all")) {
            results.addAll(runAll(args));
        } else {
            results.add(runOne(cmd, args));
        }
        if (args.has("result-file")) {
            JSON.writeValue(new File(args.get("result-file", null)), results.get(0));
        } else {
            report(results, args);
        }
        System.exit(results.stream().anyMatch(r -> r.status.equals("failed")) ? 1 : 0);
    }

    static void quietLogs() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("bench.logLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.log.com.azure", "off");
        System.setProperty("org.slf4j.simpleLogger.log.io.grpc", "error");
        System.setProperty("org.slf4j.simpleLogger.log.io.temporal", "error");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "content-length");
    }

    /** Runs one workload in this JVM. Never throws: a failure becomes a failed result. */
    static Result runOne(String cmd, Args args) {
        String provider = Backends.normalize(args.get("provider", "inmemory"));
        boolean providerBased = List.of("hello", "hello-local", "fanout", "timers", "pickup", "mgmt", "bulk", "transfer").contains(cmd);
        String system = providerBased ? "taskhub/" + provider : cmd;
        long t0 = System.nanoTime();
        try {
            if (providerBased) {
                Optional<String> why = Backends.unavailable(provider, args);
                if (why.isPresent()) {
                    return Result.skipped(cmd, system, why.get());
                }
            }
            System.out.println(">> " + cmd + (providerBased ? " on " + provider : "") + " " + String.join(" ", args.passThrough()));
            Result r = switch (cmd) {
                case "hello" -> new TaskhubBench(args, provider).hello();
                case "hello-local" -> new TaskhubBench(args, provider).helloLocal();
                case "fanout" -> new TaskhubBench(args, provider).fanout();
                case "timers" -> new TaskhubBench(args, provider).timers();
                case "pickup" -> new TaskhubBench(args, provider).pickup();
                case "mgmt" -> new ManagementBench(args, provider).run();
                case "bulk" -> new BulkBench(args, provider).run();
                case "transfer" -> new TransferBench(args, provider).run();
                case "pgbench" -> PgBench.run(args);
                case "flowable" -> FlowableBench.run(args);
                case "dbos" -> DbosBench.run(args, false);
                case "dbos-queue" -> DbosBench.run(args, true);
                case "temporal" -> TemporalBench.run(args);
                default -> throw new IllegalArgumentException("Unknown command '" + cmd + "'.\n" + USAGE);
            };
            if (r.seconds == 0) {
                r.seconds = Stats.round((System.nanoTime() - t0) / 1e9);
            }
            System.out.println("<< " + cmd + " " + r.system + " " + r.status + " " + r.metrics);
            return r;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Throwable e) {
            e.printStackTrace();
            Result r = Result.failed(cmd, system, e);
            r.seconds = Stats.round((System.nanoTime() - t0) / 1e9);
            return r;
        }
    }

    // ---- all -----------------------------------------------------------------------------------------------------

    record Job(String cmd, String provider, List<String> jvm, List<String> extra) {}

    static List<Result> runAll(Args args) throws Exception {
        List<String> providers = List.of(args.get("providers", "inmemory,postgres,azure-storage").split(","));
        List<String> only = args.has("only") ? List.of(args.get("only", "").split(",")) : null;
        boolean quick = args.flag("quick");
        List<Job> jobs = new ArrayList<>();
        if (providers.contains("postgres")) {
            jobs.add(new Job("pgbench", null, List.of(), quick ? List.of("--seconds", "3", "--scale", "1") : List.of()));
        }
        List<String> peerSize = quick ? List.of("--n", "100", "--warmup", "10") : List.of();
        boolean temporalRun = false;
        for (String p : providers) {
            String pp = Backends.normalize(p.trim());
            jobs.add(new Job("hello", pp, List.of(), quick ? List.of("--n", "200", "--warmup", "20") : List.of()));
            jobs.add(new Job("hello-local", pp, List.of(), quick ? List.of("--n", "200", "--warmup", "20") : List.of()));
            // each peer runs right after the hello it is compared with, so that both ends of a ratio meet the machine in
            // the same minutes (a shared machine's speed drifts over a run of 20 minutes)
            if (pp.equals("postgres")) {
                jobs.add(new Job("dbos", null, List.of(), peerSize));
                jobs.add(new Job("flowable", null, List.of(), peerSize));
                jobs.add(new Job("dbos-queue", null, List.of(), peerSize));
            } else if (pp.equals("inmemory")) {
                jobs.add(new Job("temporal", null, List.of(), peerSize));
                temporalRun = true;
            }
            jobs.add(new Job("fanout", pp, List.of(), quick ? List.of("--n", "4", "--warmup", "1") : List.of()));
            jobs.add(new Job("timers", pp, List.of("-Xmx512m"), quick ? List.of("--n", "200", "--delay-ms", "1000") : List.of()));
            jobs.add(new Job("pickup", pp, List.of(), quick ? List.of("--n", "10") : List.of()));
            jobs.add(new Job("mgmt", pp, List.of(), quick ? List.of("--n", "5000") : List.of()));
        }
        if (providers.contains("postgres")) {
            // the scale bars of operations at scale: bulk jobs over 1M instances (killed halfway), export + import of 100k
            List<String> small = quick ? List.of("--n", "5000") : List.of();
            jobs.add(new Job("bulk", "postgres", List.of(), concat(List.of("--operation", "purge"), small)));
            jobs.add(new Job("bulk", "postgres", List.of(), concat(List.of("--operation", "terminate"), small)));
            jobs.add(new Job("transfer", "postgres", List.of(), quick ? List.of("--n", "2000") : List.of()));
        }
        if (!temporalRun) {
            jobs.add(new Job("temporal", null, List.of(), peerSize));
        }

        // A scratch database, recreated before every PostgreSQL workload: each starts from an empty one (and from the
        // provider's current migrations), as a user's first hour does, and none inherits the dead rows of the one
        // before (autovacuum may be off on the server, and if on, its timing is not the workload's).
        boolean freshDatabases = providers.contains("postgres") && !args.has("pg-url")
                && Backends.reachable(Backends.PG_HOST, Backends.PG_PORT) && !args.flag("keep-database");
        List<Result> results = new ArrayList<>();
        for (Job job : jobs) {
            if (only != null && !only.contains(job.cmd())) {
                continue;
            }
            if (freshDatabases && "postgres".equals(job.provider())) {
                Backends.ensureDatabase(Backends.TASKHUB_DB, true);
            }
            results.add(child(job, args));
        }
        return results;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Runs a job in a fresh JVM (clean heap and JIT state, no threads left over from the previous workload). */
    static Result child(Job job, Args args) throws Exception {
        Path out = Files.createTempFile("taskhub-bench-", ".json");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(job.jvm());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchMain.class.getName());
        cmd.add(job.cmd());
        if (job.provider() != null) {
            cmd.add("--provider");
            cmd.add(job.provider());
        }
        for (String k : List.of("pg-url", "azure-connection", "keep")) {
            if (args.has(k)) {
                cmd.add("--" + k);
                cmd.add(args.get(k, ""));
            }
        }
        args.providerSettings.forEach((k, v) -> {
            cmd.add("--set");
            cmd.add(k + "=" + v);
        });
        cmd.addAll(job.extra());
        cmd.add("--result-file");
        cmd.add(out.toString());
        System.out.println("== " + job.cmd() + (job.provider() == null ? "" : " / " + job.provider()) + " " + String.join(" ", job.jvm()));
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        boolean finished = p.waitFor(30, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String system = job.provider() == null ? job.cmd() : "taskhub/" + job.provider();
        try {
            if (Files.size(out) > 0) {
                Result r = JSON.readValue(out.toFile(), Result.class);
                if (!job.jvm().isEmpty()) {
                    r.settings.put("jvm", String.join(" ", job.jvm()));
                }
                return r;
            }
            return Result.failed(job.cmd(), system, new IllegalStateException(finished ? "child exited " + p.exitValue() + " without a result" : "timed out after 30 min"));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    // ---- report ------------------------------------------------------------------------------------------------

    static void report(List<Result> results, Args args) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("environment", environment());
        doc.put("command", String.join(" ", args.raw));
        doc.put("results", results);
        Map<String, Object> comparisons = Comparisons.compute(results);
        doc.put("comparisons", comparisons);
        doc.put("targets", Comparisons.targets(results));

        System.out.println();
        System.out.println(Table.render(results));
        if (!comparisons.isEmpty()) {
            System.out.println("Comparisons:");
            comparisons.forEach((k, v) -> System.out.println("  " + k + " = " + v));
        }
        List<Map<String, Object>> targets = Comparisons.targets(results);
        if (!targets.isEmpty()) {
            System.out.println("Targets:");
            for (Map<String, Object> t : targets) {
                System.out.printf("  %-4s %-58s %s%n", t.get("met").equals(Boolean.TRUE) ? "MET" : "MISS", t.get("target"), t.get("measured"));
            }
        }
        Path dir = resultsDir(args);
        Files.createDirectories(dir);
        Path file = dir.resolve(LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")) + ".json");
        JSON.writeValue(file.toFile(), doc);
        System.out.println("Results: " + file.toAbsolutePath());
    }

    static Path resultsDir(Args args) {
        if (args.has("results")) {
            return Path.of(args.get("results", "."));
        }
        try {
            Path jar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // benchmarks/target/taskhub-benchmarks.jar (or target/classes) -> benchmarks/results
            Path module = jar.getParent().getFileName().toString().equals("target") ? jar.getParent().getParent()
                    : jar.getParent().getParent().getParent();
            if (module != null && Files.exists(module.resolve("pom.xml"))) {
                return module.resolve("results");
            }
        } catch (Exception ignored) {
            // fall through
        }
        return Path.of("benchmarks", "results");
    }

    static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("timestamp", java.time.Instant.now().toString());
        env.put("nproc", Runtime.getRuntime().availableProcessors());
        env.put("memory_total_gib", memoryGib());
        env.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("postgresql", Backends.reachable(Backends.PG_HOST, Backends.PG_PORT) ? Backends.pgVersion() : "not running");
        env.put("git_commit", git("rev-parse", "--short", "HEAD"));
        return env;
    }

    private static Object memoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Stats.round1(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576.0);
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "?";
    }

    private static String git(String... a) {
        try {
            List<String> cmd = new ArrayList<>(List.of("git"));
            cmd.addAll(List.of(a));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes()).trim();
            return p.waitFor() == 0 ? s : "?";
        } catch (Exception e) {
            return "?";
        }
    }
}

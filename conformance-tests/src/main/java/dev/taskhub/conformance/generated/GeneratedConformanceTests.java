package dev.taskhub.conformance.generated;

import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.conformance.BackendFaultInjector;
import dev.taskhub.conformance.ConformanceTestBase;
import dev.taskhub.spi.Capability;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated conformance: random orchestration programs with outside actions and injected faults, each checked against
 * the reference {@link Model}. A provider runs it with one subclass that implements {@code createProvider}.
 *
 * <p>System properties: {@code taskhub.conformance.generated.tries} (programs per provider, default
 * {@value #DEFAULT_TRIES}), {@code taskhub.conformance.seed} (run the single program of that seed, as printed by a
 * failure), {@code taskhub.conformance.generated.faults=false} (no injected faults).
 */
public abstract class GeneratedConformanceTests extends ConformanceTestBase {
    public static final int DEFAULT_TRIES = 120;
    /** Stored regression cases (one JSON program each), replayed by {@link #storedRegressionCases_matchTheModel()}. */
    public static final String REGRESSIONS = "dev/taskhub/conformance/generated/regressions/";

    private final FaultyProvider.Stats stats = new FaultyProvider.Stats();
    private FaultPlan plan;
    /** The worker's provider: the faults over the raw provider object ({@code delegate()}), which is not always the client's. */
    private FaultyProvider workerProvider;
    private TaskHubWorker worker;
    private final Object crashLock = new Object();
    private ScheduledExecutorService crasher;

    @AfterEach
    void stopGeneratedWorker() {
        if (crasher != null) {
            crasher.shutdownNow();
        }
        synchronized (crashLock) {
            if (worker != null) {
                worker.close();
            }
            if (workerProvider != null && workerProvider.delegate() != provider) {
                workerProvider.delegate().close();
            }
        }
    }

    /**
     * A provider whose generated run still shows violations that are being fixed elsewhere returns the reason (naming
     * the bug and its reproduction); the random batch is then skipped with that reason, loudly. The stored regression
     * cases still run. Null (the default) runs everything.
     */
    protected String knownViolations() {
        return null;
    }

    /** Programs in the random batch of a normal build (the system property overrides it). */
    protected int programsPerBuild() {
        return DEFAULT_TRIES;
    }

    /** The provider's own backend faults, injected into the worker's provider object while faults are on; null for none. */
    protected BackendFaultInjector backendFaults() {
        return null;
    }

    @Test
    void generatedPrograms_matchTheModel_underFaults() {
        String known = knownViolations();
        org.junit.jupiter.api.Assumptions.assumeTrue(known == null || Long.getLong("taskhub.conformance.seed") != null
                || Boolean.getBoolean("taskhub.conformance.generated.includeKnown"), () -> "Skipped on "
                + provider.providerName() + ": " + known + " (run anyway with -Dtaskhub.conformance.generated.includeKnown=true)");
        Long single = Long.getLong("taskhub.conformance.seed");
        int tries = Integer.getInteger("taskhub.conformance.generated.tries", programsPerBuild());
        long batchSeed = single != null ? single : new Random().nextLong();
        List<Long> seeds = new ArrayList<>();
        if (single != null) {
            seeds.add(single);
        } else {
            Random random = new Random(batchSeed);
            for (int i = 0; i < tries; i++) {
                seeds.add(random.nextLong());
            }
        }
        List<Program> programs = seeds.stream().map(Generator::generate).toList();
        runAndReport(programs, seeds, batchSeed);
    }

    @Test
    void storedRegressionCases_matchTheModel() {
        List<Program> programs = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (String name : regressionNames()) {
            try (InputStream in = GeneratedConformanceTests.class.getClassLoader().getResourceAsStream(REGRESSIONS + name)) {
                programs.add(Program.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                seeds.add(0L);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(programs).as("stored regression cases under " + REGRESSIONS).isNotEmpty();
        runAndReport(programs, seeds, 0L);
    }

    private static List<String> regressionNames() {
        try (InputStream in = GeneratedConformanceTests.class.getClassLoader().getResourceAsStream(REGRESSIONS + "index.txt")) {
            if (in == null) {
                return List.of();
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void runAndReport(List<Program> programs, List<Long> seeds, long batchSeed) {
        boolean faults = !"false".equals(System.getProperty("taskhub.conformance.generated.faults"));
        plan = faults ? FaultPlan.DEFAULT : FaultPlan.NONE;
        startGeneratedWorker(batchSeed);
        if (plan.crashEveryMillis() > 0) {
            crasher = Executors.newSingleThreadScheduledExecutor();
            crasher.scheduleWithFixedDelay(this::crash, plan.crashEveryMillis(), plan.crashEveryMillis(), TimeUnit.MILLISECONDS);
            BackendFaultInjector injector = backendFaults();
            if (injector != null) {
                crasher.scheduleWithFixedDelay(() -> injectBackendFault(injector), 1_000, 1_000, TimeUnit.MILLISECONDS);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<ProgramRun>> futures = new ArrayList<>();
        String prefix = "g" + Long.toHexString(batchSeed).replace("-", "m") + "-";
        for (int i = 0; i < programs.size(); i++) {
            Program p = programs.get(i);
            String rootId = prefix + i;
            futures.add(pool.submit(() -> new ProgramRun(client, stats).execute(p, rootId)));
        }
        List<String> failures = new ArrayList<>();
        Set<String> surviving = new HashSet<>();
        long actions = 0;
        long reruns = 0;
        long unchecked = 0;
        Map<Integer, ProgramRun> failed = new HashMap<>();
        for (int i = 0; i < futures.size(); i++) {
            ProgramRun run;
            try {
                run = futures.get(i).get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            actions += run.actions;
            reruns += run.faultReruns;
            surviving.addAll(run.survivingInstances);
            if (run.unchecked) {
                unchecked++;
            } else if (!run.violations.isEmpty()) {
                failed.put(i, run);
            }
        }
        pool.shutdownNow();
        if (crasher != null) {
            crasher.shutdownNow();
        }
        // paged queries return each instance exactly once
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            QueryResult page = client.queryInstances(InstanceQuery.builder().pageSize(7).continuationToken(token).build());
            page.instances().stream().map(OrchestrationMetadata::instanceId).forEach(seen::add);
            token = page.nextToken().orElse(null);
        } while (token != null);
        Set<String> distinct = new HashSet<>(seen);
        if (distinct.size() != seen.size()) {
            failures.add("paged query returned duplicates: " + (seen.size() - distinct.size()) + " of " + seen.size());
        }
        Set<String> missing = new HashSet<>(surviving);
        missing.removeAll(distinct);
        if (!missing.isEmpty()) {
            failures.add("paged query missed " + missing.size() + " instance(s), e.g. " + missing.iterator().next());
        }

        String provider = this.provider.providerName();
        int shrinkSeconds = 120;
        for (var e : failed.entrySet()) {
            int i = e.getKey();
            shrinkSeconds = Math.max(10, shrinkSeconds / 2);   // the first failure gets the most time
            Program shrunk = shrink(programs.get(i), prefix + i, e.getValue().violations.get(0), shrinkSeconds);
            String file = store(shrunk, seeds.get(i));
            failures.add("program " + i + " violated: " + String.join("; ", e.getValue().violations)
                    + "\n  shrunk program: " + shrunk.toJson()
                    + "\n  faults: " + plan + " (batch seed " + batchSeed + ")"
                    + "\n  stored as: " + file
                    + "\n  reproduce: mvn -B -ntp verify -pl <provider module> -am -Dtest='" + testSelector() + "' "
                    + "-Dsurefire.failIfNoSpecifiedTests=false -Dtaskhub.conformance.seed=" + seeds.get(i));
        }
        System.out.printf("[generated conformance] provider=%s programs=%d actions=%d faults=%d (%s) fault-explained re-runs=%d "
                + "unpredictable-after-crash=%d violations=%d%n",
                provider, programs.size(), actions, stats.total(), stats, reruns, unchecked, failed.size());
        assertThat(failures).as("generated conformance on " + provider).isEmpty();
    }

    /**
     * The {@code -Dtest} value that runs {@code generatedPrograms} of this provider again (printed in the reproduce
     * line). A nested group of a provider's suite must name the provider's subclass too, or Surefire finds nothing.
     */
    protected String testSelector() {
        return getClass().getSimpleName() + "#generatedPrograms*";
    }

    private void startGeneratedWorker(long seed) {
        synchronized (crashLock) {
            StorageProvider raw = workerProvider == null ? provider
                    : provider.capabilities().contains(Capability.DURABLE) ? createProvider(taskHubName) : provider;
            FaultyProvider faulty = new FaultyProvider(raw, plan, stats, seed);
            workerProvider = faulty;
            WorkerOptions options = testOptions().orchestrationConcurrency(8).activityConcurrency(16).build();
            worker = ProgramOrchestrator.register(TaskHubWorker.builder(faulty).options(options)).build().start();
        }
    }

    /**
     * One backend fault in the worker's own provider object. The first worker shares the client's object (it is not
     * a separate process yet), so faults start with the first crash's new worker.
     */
    private void injectBackendFault(BackendFaultInjector injector) {
        try {
            synchronized (crashLock) {
                if (workerProvider != null && workerProvider.delegate() != provider && injector.inject(workerProvider.delegate()) != null) {
                    stats.backendFault();
                }
            }
        } catch (RuntimeException e) {
            System.err.println("[generated conformance] backend fault injection failed: " + e);
        }
    }

    /**
     * A crashed worker: close it (and its provider object, for a DURABLE provider) and start a new one. A worker that
     * has committed nothing yet is spared until it has: on a slow machine a worker may need longer than the crash
     * period to take its partitions or leases, and crashing it again before it has done anything would only starve the
     * hub, which says nothing about the provider. A stalled provider still fails the run (its programs do not finish).
     */
    private void crash() {
        try {
            synchronized (crashLock) {
                if (workerProvider != null && workerProvider.committed() == 0) {
                    return;
                }
                worker.close();
                stats.crashed();
                if (workerProvider.delegate() != provider) {
                    workerProvider.delegate().close();
                }
                startGeneratedWorker(System.nanoTime());
            }
        } catch (RuntimeException e) {
            System.err.println("[generated conformance] crash injection failed: " + e);
        }
    }

    /** Shrinks a failing program: keeps the first simpler candidate that still fails, until none does (bounded). */
    private Program shrink(Program program, String idPrefix, String violation, int shrinkSeconds) {
        String kind = kind(violation);
        Program current = program;
        int attempts = 0;
        long end = System.nanoTime() + Duration.ofSeconds(shrinkSeconds).toNanos();
        boolean progress = true;
        while (progress && attempts < 40 && System.nanoTime() < end) {
            progress = false;
            for (Program candidate : Generator.shrinkCandidates(current)) {
                if (attempts++ >= 40 || System.nanoTime() >= end) {
                    break;
                }
                ProgramRun run = new ProgramRun(client, stats).deadline(Duration.ofSeconds(15)).execute(candidate, idPrefix + "-shrink" + attempts);
                if (run.violations.stream().map(GeneratedConformanceTests::kind).anyMatch(kind::equals)) {
                    current = candidate;
                    progress = true;
                    break;
                }
            }
        }
        return current;
    }

    /** A violation without its ids and numbers: shrinking keeps a candidate only if it fails the same way. */
    static String kind(String violation) {
        String k = violation.replaceAll("[0-9a-f]{8,}[-\\w]*", "ID").replaceAll("\\d+", "N");
        return k.length() > 60 ? k.substring(0, 60) : k;
    }

    private static String store(Program program, long seed) {
        try {
            Path dir = Path.of("target", "generated-regressions");
            Files.createDirectories(dir);
            Path file = dir.resolve("case-" + Long.toHexString(seed) + ".json");
            Files.writeString(file, program.toJson());
            return file.toAbsolutePath() + " (copy it to conformance-tests/src/main/resources/" + REGRESSIONS
                    + " and list it in index.txt to keep it as a fixed test)";
        } catch (IOException e) {
            return "(not stored: " + e + ")";
        }
    }
}

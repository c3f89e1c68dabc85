package dev.taskhub.benchmarks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs each in-memory workload with a tiny N, so the harness itself is known to work. Only built with -Pbenchmarks. */
class BenchSmokeTest {
    static {
        BenchMain.quietLogs();
    }

    private static Result run(String... argv) {
        Args args = new Args(argv);
        return BenchMain.runOne(args.command, args);
    }

    @Test
    void helloSequence() {
        Result r = run("hello", "--provider", "inmemory", "--n", "50", "--warmup", "5", "--inflight", "10");
        assertThat(r.status).as(r.notes.toString()).isEqualTo("ok");
        assertThat(r.metrics.get("completed")).isEqualTo(50);
        assertThat((Double) r.metrics.get("orchestrations_per_s")).isPositive();
        assertThat((Double) r.metrics.get("latency_p99_ms")).isGreaterThanOrEqualTo((Double) r.metrics.get("latency_p50_ms"));
    }

    @Test
    void fanOutFanIn() {
        Result r = run("fanout", "--provider", "inmemory", "--n", "3", "--warmup", "0", "--inflight", "2", "--width", "10");
        assertThat(r.status).as(r.notes.toString()).isEqualTo("ok");
        assertThat(r.metrics.get("completed")).isEqualTo(3);
    }

    @Test
    void timersNeverFireEarly() {
        Result r = run("timers", "--provider", "inmemory", "--n", "20", "--delay-ms", "300");
        assertThat(r.status).as(r.notes.toString()).isEqualTo("ok");
        assertThat(r.metrics.get("fired")).isEqualTo(20);
        assertThat(r.metrics.get("early")).isEqualTo(0);
        assertThat((Double) r.metrics.get("lateness_min_ms")).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    void idlePickup() {
        Result r = run("pickup", "--provider", "inmemory", "--n", "3", "--gap-ms", "20");
        assertThat(r.status).as(r.notes.toString()).isEqualTo("ok");
        assertThat(r.metrics.get("missed_10s")).isEqualTo(0);
    }

    @Test
    void managementAtSmallScale() {
        Result r = run("mgmt", "--provider", "inmemory", "--n", "5000");
        assertThat(r.status).as(r.notes.toString()).isEqualTo("ok");
        assertThat(((Number) r.metrics.get("full_scan_instances")).longValue()).isEqualTo(5000L);
        assertThat(((Number) r.metrics.get("purged")).longValue()).isEqualTo(5000L);
    }

    @Test
    void unknownProviderIsSkippedNotFailed() {
        Result r = run("hello", "--provider", "nosuchprovider", "--n", "1");
        assertThat(r.status).isEqualTo("skipped");
    }

    @Test
    void tableAndComparisonsRender() {
        Result a = new Result("hello", "taskhub/inmemory").metric("orchestrations_per_s", 1200.0);
        Result b = new Result("hello", "temporal-testserver").metric("orchestrations_per_s", 100.0);
        assertThat(Table.render(java.util.List.of(a, b))).contains("taskhub/inmemory").contains("1200.0");
        assertThat(Comparisons.compute(java.util.List.of(a, b))).containsEntry("hello_taskhub_inmemory_over_temporal_testserver", 12.0);
    }

    @Test
    void markdownPrintsEveryWorkloadsTableAndKeepsBothBulkOperations(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Result fanout = new Result("fanout", "taskhub/postgres").metric("activities_per_s", 5100.0);
        Result purge = new Result("bulk", "taskhub/postgres").set("operation", "purge").set("n", 1000).set("killHalfway", true)
                .metric("bulk_purge_s", 30.5).metric("killed_at_s", 12.0).metric("instances_left", 0);
        Result terminate = new Result("bulk", "taskhub/postgres").set("operation", "terminate").set("n", 1000).set("killHalfway", true)
                .metric("bulk_terminate_s", 130.0).metric("bulk_terminate_applied_s", 131.0).metric("killed_at_s", 60.0)
                .metric("instances_not_terminated", 0);
        java.nio.file.Path file = dir.resolve("run.json");
        BenchMain.JSON.writeValue(file.toFile(), java.util.Map.of("environment", java.util.Map.of(), "results",
                java.util.List.of(fanout, purge, terminate)));

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Markdown.print(java.util.List.of(file.toString()));
        } finally {
            System.setOut(stdout);
        }
        String md = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(md).contains("**Fan-out/fan-in").contains("5100.0").contains("**Bulk jobs")
                .contains("| taskhub/postgres | purge | 1000 |").contains("| taskhub/postgres | terminate | 1000 |")
                .contains("| bulk purge job over 1000 < 120 s, worker killed halfway (taskhub/postgres) | yes | 30.5 s, killed at 12.0 s |")
                .contains("| bulk terminate job over 1000 < 120 s, worker killed halfway (taskhub/postgres) | **no** | 131.0 s until all terminated");
    }
}

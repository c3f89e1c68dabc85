package dev.taskhub.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Ratios between systems measured in the same run, and the targets of docs/performance.md checked against them. */
final class Comparisons {
    private Comparisons() {}

    static Optional<Result> find(List<Result> results, String workload, String system) {
        return results.stream().filter(r -> r.workload.equals(workload) && r.system.equals(system) && r.status.equals("ok")).findFirst();
    }

    static Double num(Result r, String key) {
        Object v = r.metrics.get(key);
        return v instanceof Number n ? n.doubleValue() : null;
    }

    /** Orchestrations per second of {@code a} over those of {@code b}. */
    static double throughputRatio(Result a, Result b) {
        return num(a, "orchestrations_per_s") / num(b, "orchestrations_per_s");
    }

    static Map<String, Object> compute(List<Result> results) {
        Map<String, Object> c = new LinkedHashMap<>();
        Optional<Result> pg = find(results, "hello", "taskhub/postgres");
        Optional<Result> bench = find(results, "pgbench", "pgbench");
        if (pg.isPresent() && bench.isPresent()) {
            double orch = num(pg.get(), "orchestrations_per_s");
            c.put("hello_postgres_orch_per_s_over_pgbench_tpcb_tps", Stats.round(orch / num(bench.get(), "tps_tpcb")));
            c.put("hello_postgres_orch_per_s_over_pgbench_N_tps", Stats.round(orch / num(bench.get(), "tps_simple_update_N")));
            Double x = num(pg.get(), "pg_xacts_per_orchestration");
            if (x != null) {
                c.put("hello_postgres_db_xacts_per_s", Stats.round1(orch * x));
                c.put("hello_postgres_db_xacts_per_s_over_pgbench_N_tps", Stats.round(orch * x / num(bench.get(), "tps_simple_update_N")));
            }
        }
        Optional<Result> flowable = find(results, "hello", "flowable");
        if (pg.isPresent() && flowable.isPresent()) {
            c.put("hello_taskhub_postgres_over_flowable", Stats.round(throughputRatio(pg.get(), flowable.get())));
        }
        Optional<Result> dbos = find(results, "hello", "dbos");
        if (pg.isPresent() && dbos.isPresent()) {
            c.put("hello_taskhub_postgres_over_dbos_inline", Stats.round(throughputRatio(pg.get(), dbos.get())));
        }
        Optional<Result> pgLocal = find(results, "hello-local", "taskhub/postgres");
        if (pgLocal.isPresent() && dbos.isPresent()) {
            c.put("hello_local_taskhub_postgres_over_dbos_inline", Stats.round(throughputRatio(pgLocal.get(), dbos.get())));
        }
        Optional<Result> mem = find(results, "hello", "taskhub/inmemory");
        Optional<Result> temporal = find(results, "hello", "temporal-testserver");
        if (mem.isPresent() && temporal.isPresent()) {
            c.put("hello_taskhub_inmemory_over_temporal_testserver", Stats.round(throughputRatio(mem.get(), temporal.get())));
        }
        find(results, "hello", "taskhub/azure-storage").ifPresent(r -> {
            if (r.metrics.containsKey("storage_requests_per_orchestration")) {
                c.put("hello_azure_storage_requests_per_orchestration", r.metrics.get("storage_requests_per_orchestration"));
            }
        });
        return c;
    }

    static List<Map<String, Object>> targets(List<Result> results) {
        List<Map<String, Object>> t = new ArrayList<>();
        find(results, "hello", "taskhub/inmemory").ifPresent(r -> add(t, "in-memory hello >= 1,000 orch/s",
                num(r, "orchestrations_per_s") >= 1000, r.metrics.get("orchestrations_per_s") + " orch/s"));
        find(results, "hello", "taskhub/postgres").ifPresent(r -> add(t, "PostgreSQL hello >= 400 orch/s",
                num(r, "orchestrations_per_s") >= 400, r.metrics.get("orchestrations_per_s") + " orch/s"));
        find(results, "pickup", "taskhub/postgres").ifPresent(r -> add(t, "idle pickup p99 < 50 ms on PostgreSQL",
                num(r, "pickup_p99_ms") < 50, r.metrics.get("pickup_p99_ms") + " ms"));
        fastByDefault(results, t);
        for (Result r : results) {
            if (!r.status.equals("ok")) {
                continue;
            }
            String n = String.valueOf(r.settings.get("n"));
            if (r.workload.equals("mgmt")) {
                double a = num(r, "filtered_page100_failed_p50_ms");
                double b = num(r, "filtered_page100_completed_p50_ms");
                add(t, "filtered page of 100 of " + n + " < 50 ms (" + r.system + ")", Math.max(a, b) < 50,
                        "p50 " + a + " / " + b + " ms (failed / completed), first " + r.metrics.get("filtered_page100_failed_first_ms") + " ms");
                add(t, "purge " + n + " < 60 s (" + r.system + ")", num(r, "purge_all_s") < 60, r.metrics.get("purge_all_s") + " s");
            }
            if (r.workload.equals("timers")) {
                add(t, n + " timers: heap <= 512 MB (" + r.system + ")", num(r, "heap_used_max_mb") <= 512,
                        r.metrics.get("heap_used_max_mb") + " MB max used" + (r.settings.containsKey("jvm") ? " with " + r.settings.get("jvm") : ""));
                add(t, n + " timers: never early (" + r.system + ")", num(r, "early") == 0 && num(r, "lateness_min_ms") >= 0,
                        "min lateness " + r.metrics.get("lateness_min_ms") + " ms");
                add(t, n + " timers: p99 lateness < 1 s (" + r.system + ")", num(r, "lateness_p99_ms") < 1000,
                        r.metrics.get("lateness_p99_ms") + " ms");
            }
        }
        return t;
    }

    /** The targets of "fast by default": the library's defaults against the peers measured in the same run. */
    private static void fastByDefault(List<Result> results, List<Map<String, Object>> t) {
        find(results, "hello", "taskhub/inmemory").ifPresent(r -> add(t, "in-memory hello >= 5,000 orch/s",
                num(r, "orchestrations_per_s") >= 5000, r.metrics.get("orchestrations_per_s") + " orch/s"));
        Optional<Result> pg = find(results, "hello", "taskhub/postgres");
        pg.ifPresent(r -> {
            add(t, "PostgreSQL hello p50 < 500 ms at 256 in flight", num(r, "latency_p50_ms") < 500, r.metrics.get("latency_p50_ms") + " ms");
            Double x = num(r, "pg_xacts_per_orchestration");
            add(t, "PostgreSQL hello <= 2 transactions per orchestration", x != null && x <= 2, x + " per orchestration");
        });
        Optional<Result> dbos = find(results, "hello", "dbos");
        Optional<Result> flowable = find(results, "hello", "flowable");
        if (pg.isPresent() && dbos.isPresent()) {
            double ratio = throughputRatio(pg.get(), dbos.get());
            add(t, "PostgreSQL hello >= 1.1x DBOS (steps inline)", ratio >= 1.1, Stats.round(ratio) + "x");
        }
        if (pg.isPresent() && flowable.isPresent()) {
            double ratio = throughputRatio(pg.get(), flowable.get());
            add(t, "PostgreSQL hello >= 5x Flowable", ratio >= 5, Stats.round(ratio) + "x");
        }
        Optional<Result> local = find(results, "hello-local", "taskhub/postgres");
        if (local.isPresent() && dbos.isPresent()) {
            double ratio = throughputRatio(local.get(), dbos.get());
            add(t, "PostgreSQL hello-local >= 2x DBOS (steps inline)", ratio >= 2, Stats.round(ratio) + "x");
        }
        find(results, "fanout", "taskhub/postgres").ifPresent(r -> {
            add(t, "PostgreSQL fan-out >= 5,000 activities/s", num(r, "activities_per_s") >= 5000, r.metrics.get("activities_per_s") + " activities/s");
            Double x = num(r, "pg_xacts_per_orchestration");
            add(t, "PostgreSQL fan-out <= 30 transactions per orchestration", x != null && x <= 30, x + " per orchestration");
        });
        find(results, "timers", "taskhub/postgres").ifPresent(r -> add(t, "PostgreSQL 10k timers p99 lateness < 250 ms",
                num(r, "lateness_p99_ms") < 250, r.metrics.get("lateness_p99_ms") + " ms"));
        find(results, "hello", "taskhub/azure-storage").ifPresent(r -> {
            Double q = num(r, "storage_requests_per_orchestration");
            add(t, "Azure Storage hello <= 36 requests per orchestration", q != null && q <= 36, q + " requests");
        });
    }

    private static void add(List<Map<String, Object>> t, String target, boolean met, String measured) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("met", met);
        m.put("measured", measured);
        t.add(m);
    }
}

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

    /** A throughput ratio between a Taskhub result and a peer's in the same run. */
    private record PeerRatio(String key, String workload, String system, String peer) {}

    private static final List<PeerRatio> PEER_RATIOS = List.of(
            new PeerRatio("hello_taskhub_postgres_over_flowable", "hello", "taskhub/postgres", "flowable"),
            new PeerRatio("hello_taskhub_postgres_over_dbos_inline", "hello", "taskhub/postgres", "dbos"),
            new PeerRatio("hello_local_taskhub_postgres_over_dbos_inline", "hello-local", "taskhub/postgres", "dbos"),
            new PeerRatio("hello_taskhub_inmemory_over_temporal_testserver", "hello", "taskhub/inmemory", "temporal-testserver"));

    /** Orchestrations per second of each Taskhub result over its peer's (hello), unrounded, for the pairs measured. */
    private static Map<String, Double> peerRatios(List<Result> results) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        for (PeerRatio p : PEER_RATIOS) {
            Optional<Result> ours = find(results, p.workload(), p.system());
            Optional<Result> peer = find(results, "hello", p.peer());
            if (ours.isPresent() && peer.isPresent()) {
                ratios.put(p.key(), num(ours.get(), "orchestrations_per_s") / num(peer.get(), "orchestrations_per_s"));
            }
        }
        return ratios;
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
        peerRatios(results).forEach((k, v) -> c.put(k, Stats.round(v)));
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
            atScale(r, n, t);
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
        Map<String, Double> ratios = peerRatios(results);
        ratio(t, ratios, "hello_taskhub_postgres_over_dbos_inline", "PostgreSQL hello >= 1.1x DBOS (steps inline)", 1.1);
        ratio(t, ratios, "hello_taskhub_postgres_over_flowable", "PostgreSQL hello >= 5x Flowable", 5);
        ratio(t, ratios, "hello_local_taskhub_postgres_over_dbos_inline", "PostgreSQL hello-local >= 2x DBOS (steps inline)", 2);
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

    private static void ratio(List<Map<String, Object>> t, Map<String, Double> ratios, String key, String target, double atLeast) {
        Double ratio = ratios.get(key);
        if (ratio != null) {
            add(t, target, ratio >= atLeast, Stats.round(ratio) + "x");
        }
    }

    /** The scale bars of "operations at scale": counts, bulk jobs that survive their worker, export and import. */
    private static void atScale(Result r, String n, List<Map<String, Object>> t) {
        if (r.workload.equals("mgmt") && r.system.equals("taskhub/postgres") && r.metrics.containsKey("count_all_p50_ms")
                && r.metrics.containsKey("count_failed_range_p50_ms")) {
            double all = num(r, "count_all_p50_ms");
            double range = num(r, "count_failed_range_p50_ms");
            add(t, "counts at " + n + " < 100 ms (" + r.system + ")", Math.max(all, range) < 100, "whole hub p50 " + all
                    + " ms (first " + r.metrics.get("count_all_first_ms") + " ms), one status in a created range p50 " + range + " ms");
        }
        if (r.workload.equals("bulk")) {
            String op = String.valueOf(r.settings.get("operation"));
            boolean killed = Boolean.TRUE.equals(r.settings.get("killHalfway"));
            Double applied = num(r, "bulk_terminate_applied_s");
            double seconds = applied != null ? applied : num(r, "bulk_" + op + "_s");
            add(t, "bulk " + op + " job over " + n + " < 120 s, worker killed halfway (" + r.system + ")", killed && seconds < 120,
                    seconds + " s" + (applied != null ? " until all terminated" : "") + (killed
                            ? ", killed at " + r.metrics.get("killed_at_s") + " s" : ", not killed"));
        }
        if (r.workload.equals("transfer")) {
            add(t, "export + import of " + n + " < 120 s (" + r.system + ")", num(r, "export_import_s") < 120,
                    r.metrics.get("export_import_s") + " s");
        }
    }

    private static void add(List<Map<String, Object>> t, String target, boolean met, String measured) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", target);
        m.put("met", met);
        m.put("measured", measured);
        t.add(m);
    }
}

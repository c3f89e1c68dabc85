package dev.taskhub.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code markdown FILE...}: merges results files (a later file's result replaces an earlier one for the same workload
 * and system) and prints the tables of docs/performance.md, so the page is written from real runs only.
 */
final class Markdown {
    private Markdown() {}

    static void print(List<String> files) throws Exception {
        Map<String, Result> merged = new LinkedHashMap<>();
        Map<String, Object> env = null;
        List<String> sources = new ArrayList<>();
        for (String f : files) {
            JsonNode doc = BenchMain.JSON.readTree(new File(f));
            env = BenchMain.JSON.convertValue(doc.get("environment"), new TypeReference<Map<String, Object>>() {});
            List<Result> rs = BenchMain.JSON.convertValue(doc.get("results"), new TypeReference<List<Result>>() {});
            for (Result r : rs) {
                merged.put(r.key(), r);
            }
            sources.add(new File(f).getName());
        }
        List<String> order = List.of("taskhub/inmemory", "taskhub/postgres", "taskhub/azure-storage", "dbos", "dbos-queue", "flowable",
                "temporal-testserver", "pgbench");
        List<Result> results = new ArrayList<>(merged.values());
        results.sort(java.util.Comparator.comparingInt((Result r) -> order.indexOf(r.system) < 0 ? 99 : order.indexOf(r.system)));
        StringBuilder sb = new StringBuilder();
        sb.append("Source: `").append(String.join("`, `", sources)).append("`");
        if (env != null) {
            sb.append(" — ").append(env.get("nproc")).append(" CPUs, ").append(env.get("memory_total_gib")).append(" GiB, ")
                    .append(env.get("java")).append(", PostgreSQL ").append(env.get("postgresql")).append(", commit ")
                    .append(env.get("git_commit"));
        }
        sb.append("\n\n");

        table(sb, "Hello sequence (5 chained activities; `hello-local`: the same as local activities)", results, List.of("hello", "hello-local"),
                new String[]{"system", "N", "settings", "orch/s", "activities/s", "p50 ms", "p99 ms", "PG xacts/orch", "storage req/orch"},
                r -> new Object[]{r.workload.equals("hello") ? r.system : r.system + " `" + r.workload + "`", r.settings.get("n"), settings(r), m(r, "orchestrations_per_s"), m(r, "activities_per_s"),
                        m(r, "latency_p50_ms"), m(r, "latency_p99_ms"), m(r, "pg_xacts_per_orchestration"), m(r, "storage_requests_per_orchestration")});
        table(sb, "Fan-out/fan-in (100 parallel activities, summed)", results, List.of("fanout"),
                new String[]{"system", "N", "settings", "orch/s", "activities/s", "p50 ms", "p99 ms", "PG xacts/orch", "storage req/orch"},
                r -> new Object[]{r.system, r.settings.get("n"), settings(r), m(r, "orchestrations_per_s"), m(r, "activities_per_s"),
                        m(r, "latency_p50_ms"), m(r, "latency_p99_ms"), m(r, "pg_xacts_per_orchestration"), m(r, "storage_requests_per_orchestration")});
        table(sb, "Durable timers (each instance waits 5 s, then calls an activity)", results, List.of("timers"),
                new String[]{"system", "N", "JVM", "start all (s)", "fired", "early", "lateness min / p50 / p99 / max (ms)", "heap max used (MB)", "heap after GC, all waiting (MB)", "load avg"},
                r -> new Object[]{r.system, r.settings.get("n"), r.settings.getOrDefault("jvm", "max heap " + r.settings.get("maxHeapMb") + " MB"),
                        m(r, "start_all_s"), m(r, "fired"), m(r, "early"),
                        m(r, "lateness_min_ms") + " / " + m(r, "lateness_p50_ms") + " / " + m(r, "lateness_p99_ms") + " / " + m(r, "lateness_max_ms"),
                        m(r, "heap_used_max_mb"), m(r, "heap_after_gc_all_scheduled_mb"), load(r)});
        table(sb, "Idle pickup latency (schedule → first episode starts)", results, List.of("pickup"),
                new String[]{"system", "samples", "p50 ms", "p99 ms", "max ms", "schedule call p50 ms", "load avg"},
                r -> new Object[]{r.system, r.settings.get("samples"), m(r, "pickup_p50_ms"), m(r, "pickup_p99_ms"), m(r, "pickup_max_ms"),
                        m(r, "schedule_call_p50_ms"), load(r)});
        table(sb, "Management at scale", results, List.of("mgmt"),
                new String[]{"system", "N", "load", "filtered page 100, Failed + range: first / p50 ms", "Completed + range: first / p50 ms",
                        "prefix page 100: first / p50 ms", "full scan (pages of 1,000)", "purge all", "load avg"},
                r -> new Object[]{r.system, r.settings.get("n") + (r.settings.get("activityMessages") instanceof Number a && a.longValue() > 0
                                ? " + " + a + " queued activities" : ""), r.settings.get("load") + ", " + m(r, "load_s") + " s",
                        m(r, "filtered_page100_failed_first_ms") + " / " + m(r, "filtered_page100_failed_p50_ms"),
                        m(r, "filtered_page100_completed_first_ms") + " / " + m(r, "filtered_page100_completed_p50_ms"),
                        m(r, "prefix_page100_first_ms") + " / " + m(r, "prefix_page100_p50_ms"),
                        m(r, "full_scan_s") + " s (" + m(r, "full_scan_ms_per_page") + " ms/page)",
                        m(r, "purge_all_s") + " s (" + m(r, "purge_per_s") + "/s)", load(r)});
        table(sb, "Bulk jobs (pages of 1,000; worker JVM killed halfway, a second one takes over)", results, List.of("bulk"),
                new String[]{"system", "operation", "N", "load", "job (s)", "instances/s", "killed at", "moving again after (s)",
                        "matched / done / skipped / failed", "all applied (s)", "left", "load avg"},
                r -> {
                    String op = String.valueOf(r.settings.get("operation"));
                    return new Object[]{r.system, op, r.settings.get("n"), m(r, "load_s") + " s", m(r, "bulk_" + op + "_s"),
                            m(r, "bulk_" + op + "_per_s"), Boolean.TRUE.equals(r.settings.get("killHalfway"))
                                    ? m(r, "killed_at_s") + " s, " + m(r, "killed_at_matched") + " matched" : "not killed",
                            m(r, "progress_again_after_kill_s"),
                            m(r, "matched") + " / " + m(r, "done") + " / " + m(r, "skipped") + " / " + m(r, "failed"),
                            m(r, "bulk_terminate_applied_s"), r.metrics.containsKey("instances_left") ? m(r, "instances_left")
                                    : m(r, "instances_not_terminated"), load(r)};
                });
        table(sb, "Export and import between two hubs of the same provider", results, List.of("transfer"),
                new String[]{"system", "N", "load (s)", "export (s)", "import (s)", "export + import (s)", "file (MB)", "imported / skipped / failed", "load avg"},
                r -> new Object[]{r.system, r.settings.get("n"), m(r, "load_s"), m(r, "export_s"), m(r, "import_s"), m(r, "export_import_s"),
                        m(r, "file_mb"), m(r, "imported") + " / " + m(r, "skipped") + " / " + m(r, "failed"), load(r)});
        table(sb, "pgbench (same machine, same run)", results, List.of("pgbench"),
                new String[]{"settings", "TPC-B-like tps", "-N (simple update) tps", "load avg"},
                r -> new Object[]{"-s " + r.settings.get("scale") + " -c " + r.settings.get("clients") + " -j " + r.settings.get("threads")
                        + " -T " + r.settings.get("seconds"), m(r, "tps_tpcb"), m(r, "tps_simple_update_N"), load(r)});

        for (Result r : results) {
            if (r.status.equals("ok") && r.metrics.get("storage_requests_per_orchestration_by_operation") instanceof Map<?, ?> ops) {
                boolean hello = r.workload.equals("hello");
                sb.append("**Storage requests per orchestration, ").append(r.workload).append(" on ").append(r.system)
                        .append("** (total ").append(m(r, "storage_requests_per_orchestration"))
                        .append(hello ? ", " + m(r, "storage_requests_per_episode") + " per episode" : "")
                        .append("; idle worker: ").append(m(r, "idle_storage_requests_per_s")).append(" requests/s)\n\n")
                        .append(hello ? "| operation | per orchestration | per episode (÷ 6) |\n|---|---|---|\n" : "| operation | per orchestration |\n|---|---|\n");
                ops.forEach((k, v) -> {
                    if (v instanceof Number n && n.doubleValue() > 0) {
                        sb.append("| ").append(k).append(" | ").append(v);
                        if (hello) {
                            sb.append(" | ").append(Stats.round(n.doubleValue() / 6));
                        }
                        sb.append(" |\n");
                    }
                });
                sb.append('\n');
            }
        }
        Map<String, Object> comparisons = Comparisons.compute(results);
        if (!comparisons.isEmpty()) {
            sb.append("**Comparisons**\n\n| ratio | value |\n|---|---|\n");
            comparisons.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            sb.append('\n');
        }
        List<Map<String, Object>> targets = Comparisons.targets(results);
        if (!targets.isEmpty()) {
            sb.append("**Targets**\n\n| target | met | measured |\n|---|---|---|\n");
            for (Map<String, Object> t : targets) {
                sb.append("| ").append(t.get("target")).append(" | ").append(Boolean.TRUE.equals(t.get("met")) ? "yes" : "**no**")
                        .append(" | ").append(t.get("measured")).append(" |\n");
            }
            sb.append('\n');
        }
        for (Result r : results) {
            if (!r.status.equals("ok")) {
                sb.append("- ").append(r.workload).append(" on ").append(r.system).append(": ").append(r.status).append(" — ")
                        .append(r.notes.isEmpty() ? "" : r.notes.get(0)).append('\n');
            }
        }
        System.out.println(sb);
    }

    private static String settings(Result r) {
        Map<String, Object> s = r.settings;
        StringBuilder sb = new StringBuilder();
        if (s.containsKey("orchestrationConcurrency")) {
            sb.append("orch ").append(s.get("orchestrationConcurrency")).append("×").append(s.get("orchestrationBatchSize"))
                    .append(", act ").append(s.get("activityConcurrency")).append("×").append(s.get("activityBatchSize"));
        } else if (s.containsKey("asyncExecutorCorePoolSize")) {
            sb.append("async pool ").append(s.get("asyncExecutorCorePoolSize")).append(", queue ").append(s.get("asyncExecutorThreadPoolQueueSize"))
                    .append(", acquire ").append(s.get("asyncExecutorMaxAsyncJobsDuePerAcquisition")).append("/")
                    .append(s.get("asyncExecutorDefaultAsyncJobAcquireWaitTimeMs")).append(" ms, jdbc ").append(s.get("jdbcMaxActiveConnections"));
        } else if (s.containsKey("maxConcurrentWorkflowTaskExecutionSize")) {
            sb.append("wf tasks ").append(s.get("maxConcurrentWorkflowTaskExecutionSize")).append(", activities ")
                    .append(s.get("maxConcurrentActivityExecutionSize"));
        }
        if (s.containsKey("inflight")) {
            sb.append(sb.isEmpty() ? "" : ", ").append("in flight ").append(s.get("inflight"));
        }
        if (s.containsKey("providerSettings")) {
            sb.append(", ").append(s.get("providerSettings"));
        }
        if (s.containsKey("loadAverageAtStart")) {
            sb.append("; load avg ").append(String.valueOf(s.get("loadAverageAtStart")).split(" ")[0]);
        }
        return sb.toString();
    }

    private static String load(Result r) {
        return String.valueOf(r.settings.getOrDefault("loadAverageAtStart", "?")).split(" ")[0];
    }

    private static Object m(Result r, String key) {
        Object v = r.metrics.get(key);
        return v == null ? "–" : v;
    }

    interface Row {
        Object[] cells(Result r);
    }

    /** A table of the results of the given workloads, one row per result. */
    private static void table(StringBuilder sb, String title, List<Result> results, List<String> workloads, String[] header, Row row) {
        List<Result> rs = results.stream().filter(r -> workloads.contains(r.workload)).toList();
        if (rs.isEmpty()) {
            return;
        }
        sb.append("**").append(title).append("**\n\n|");
        for (String h : header) {
            sb.append(' ').append(h).append(" |");
        }
        sb.append("\n|");
        sb.append("---|".repeat(header.length)).append('\n');
        for (Result r : rs) {
            sb.append('|');
            if (!r.status.equals("ok")) {
                sb.append(' ').append(r.system).append(" | ").append(r.status).append(": ")
                        .append(r.notes.isEmpty() ? "" : r.notes.get(0).replace("|", "/")).append(" |\n");
                continue;
            }
            for (Object c : row.cells(r)) {
                sb.append(' ').append(c == null ? "" : c.toString().replace("|", "/")).append(" |");
            }
            sb.append('\n');
        }
        sb.append('\n');
    }
}

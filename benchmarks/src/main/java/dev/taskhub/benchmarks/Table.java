package dev.taskhub.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A plain-text table of results: one row per workload and system, with the headline numbers. */
final class Table {
    private Table() {}

    static String render(List<Result> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"workload", "system", "status", "N", "settings", "result"});
        for (Result r : results) {
            rows.add(new String[]{r.workload, r.system, r.status, str(r.settings.getOrDefault("n", r.settings.get("samples"))),
                    settings(r), headline(r)});
        }
        int[] w = new int[6];
        for (String[] row : rows) {
            for (int i = 0; i < 6; i++) {
                w[i] = Math.max(w[i], row[i] == null ? 0 : row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] row = rows.get(k);
            for (int i = 0; i < 6; i++) {
                String cell = row[i] == null ? "" : row[i];
                sb.append(i == 5 ? cell : String.format("%-" + w[i] + "s | ", cell));
            }
            sb.append('\n');
            if (k == 0) {
                sb.append("-".repeat(Math.min(200, w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + 15))).append('\n');
            }
        }
        for (Result r : results) {
            if (!r.status.equals("ok") && !r.notes.isEmpty()) {
                sb.append("  ").append(r.workload).append(" ").append(r.system).append(": ").append(r.notes.get(0)).append('\n');
            }
        }
        return sb.toString();
    }

    private static String settings(Result r) {
        Map<String, Object> s = r.settings;
        if (s.containsKey("orchestrationConcurrency")) {
            return "orch " + s.get("orchestrationConcurrency") + "x" + s.get("orchestrationBatchSize") + ", act "
                    + s.get("activityConcurrency") + "x" + s.get("activityBatchSize")
                    + (s.containsKey("inflight") ? ", inflight " + s.get("inflight") : "")
                    + (s.containsKey("jvm") ? ", " + s.get("jvm") : "");
        }
        if (s.containsKey("asyncExecutorCorePoolSize")) {
            return "pool " + s.get("asyncExecutorCorePoolSize") + ", queue " + s.get("asyncExecutorThreadPoolQueueSize")
                    + ", acquire " + s.get("asyncExecutorMaxAsyncJobsDuePerAcquisition") + ", inflight " + s.get("inflight");
        }
        if (s.containsKey("maxConcurrentWorkflowTaskExecutionSize")) {
            return "wf " + s.get("maxConcurrentWorkflowTaskExecutionSize") + ", act " + s.get("maxConcurrentActivityExecutionSize")
                    + ", inflight " + s.get("inflight");
        }
        if (s.containsKey("clients")) {
            return "-s " + s.get("scale") + " -c " + s.get("clients") + " -j " + s.get("threads") + " -T " + s.get("seconds");
        }
        if (s.containsKey("load")) {
            return "load " + s.get("load");
        }
        return "";
    }

    private static String headline(Result r) {
        Map<String, Object> m = r.metrics;
        if (!r.status.equals("ok") && m.isEmpty()) {
            return "";
        }
        return switch (r.workload) {
            case "hello", "hello-local", "fanout" -> join(
                    "orch/s " + str(m.get("orchestrations_per_s")),
                    "act/s " + str(m.get("activities_per_s")),
                    "p50 " + str(m.get("latency_p50_ms")) + " ms",
                    "p99 " + str(m.get("latency_p99_ms")) + " ms",
                    m.containsKey("pg_xacts_per_orchestration") ? "xact/orch " + str(m.get("pg_xacts_per_orchestration")) : null,
                    m.containsKey("storage_requests_per_orchestration") ? "req/orch " + str(m.get("storage_requests_per_orchestration")) : null);
            case "timers" -> join("fired " + str(m.get("fired")), "early " + str(m.get("early")),
                    "late p50 " + str(m.get("lateness_p50_ms")) + " p99 " + str(m.get("lateness_p99_ms")) + " max "
                            + str(m.get("lateness_max_ms")) + " ms",
                    "heap max " + str(m.get("heap_used_max_mb")) + " MB, after GC " + str(m.get("heap_after_gc_all_scheduled_mb")) + " MB");
            case "pickup" -> join("p50 " + str(m.get("pickup_p50_ms")) + " ms", "p99 " + str(m.get("pickup_p99_ms")) + " ms",
                    "max " + str(m.get("pickup_max_ms")) + " ms");
            case "mgmt" -> join("load " + str(m.get("load_s")) + " s",
                    "page100 failed+range p50 " + str(m.get("filtered_page100_failed_p50_ms")) + " ms",
                    "completed+range p50 " + str(m.get("filtered_page100_completed_p50_ms")) + " ms",
                    "prefix p50 " + str(m.get("prefix_page100_p50_ms")) + " ms",
                    "scan " + str(m.get("full_scan_s")) + " s",
                    "purge " + str(m.get("purge_all_s")) + " s");
            case "pgbench" -> join("tpcb " + str(m.get("tps_tpcb")) + " tps", "-N " + str(m.get("tps_simple_update_N")) + " tps");
            default -> m.toString();
        };
    }

    private static String join(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            if (p != null) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(p);
            }
        }
        return sb.toString();
    }

    static String str(Object o) {
        return o == null ? "-" : o.toString();
    }
}

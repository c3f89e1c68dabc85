package dev.taskhub.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One measured (or skipped) workload on one system. Plain mutable bean so Jackson writes and reads it as is.
 * {@code settings} says how it ran (N, concurrency, batch sizes); {@code metrics} holds the numbers.
 */
public final class Result {
    public String workload;
    public String system;          // taskhub/<provider>, pgbench, flowable, temporal-testserver
    public String status = "ok";   // ok | skipped | failed
    public String startedAt;
    public double seconds;
    public Map<String, Object> settings = new LinkedHashMap<>();
    public Map<String, Object> metrics = new LinkedHashMap<>();
    public List<String> notes = new ArrayList<>();

    public Result() {}

    Result(String workload, String system) {
        this.workload = workload;
        this.system = system;
        this.startedAt = java.time.Instant.now().toString();
        this.settings.put("loadAverageAtStart", Backends.loadAverage());
    }

    /** The workload, and for the bulk workload its operation (a run measures a purge and a terminate job). */
    String label() {
        Object operation = settings.get("operation");
        return operation == null ? workload : workload + " " + operation;
    }

    /** What identifies a result within a run and across runs: its label and its system. */
    String key() {
        return label() + "|" + system;
    }

    Result set(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    Result metric(String key, Object value) {
        metrics.put(key, value);
        return this;
    }

    Result note(String text) {
        notes.add(text);
        return this;
    }

    static Result skipped(String workload, String system, String why) {
        Result r = new Result(workload, system);
        r.status = "skipped";
        r.notes.add(why);
        return r;
    }

    static Result failed(String workload, String system, Throwable t) {
        Result r = new Result(workload, system);
        r.status = "failed";
        r.notes.add(t.toString());
        return r;
    }
}

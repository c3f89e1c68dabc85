package dev.taskhub.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Percentiles of a sample of durations given in microseconds; reported in milliseconds. */
final class Stats {
    private final long[] sorted;

    Stats(long[] micros) {
        this.sorted = micros.clone();
        Arrays.sort(sorted);
    }

    int count() {
        return sorted.length;
    }

    /** Nearest-rank percentile in ms; NaN when empty. */
    double pMs(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1000.0;
    }

    double minMs() {
        return sorted.length == 0 ? Double.NaN : sorted[0] / 1000.0;
    }

    double maxMs() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0;
    }

    double meanMs() {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return sum / sorted.length / 1000.0;
    }

    /** p50, p99, max (and min when asked) under the given key prefix, rounded to 0.01 ms. */
    Map<String, Object> summary(String prefix, boolean withMin) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (withMin) {
            m.put(prefix + "_min_ms", round(minMs()));
        }
        m.put(prefix + "_p50_ms", round(pMs(50)));
        m.put(prefix + "_p99_ms", round(pMs(99)));
        m.put(prefix + "_max_ms", round(maxMs()));
        return m;
    }

    static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        return Math.round(v * 100.0) / 100.0;
    }

    static double round1(double v) {
        return Math.round(v * 10.0) / 10.0;
    }
}

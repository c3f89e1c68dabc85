package dev.taskhub.benchmarks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code compare BEFORE.json AFTER.json}: every numeric metric both files have, with the change in percent. */
final class Compare {
    private Compare() {}

    static void print(String before, String after, double threshold) throws Exception {
        Map<String, Result> a = load(before);
        Map<String, Result> b = load(after);
        System.out.printf("%-10s %-22s %-48s %14s %14s %9s%n", "workload", "system", "metric", "before", "after", "change");
        for (Map.Entry<String, Result> e : b.entrySet()) {
            Result old = a.get(e.getKey());
            if (old == null) {
                continue;
            }
            for (Map.Entry<String, Object> m : e.getValue().metrics.entrySet()) {
                if (m.getValue() instanceof Number nb && old.metrics.get(m.getKey()) instanceof Number na) {
                    double x = na.doubleValue();
                    double y = nb.doubleValue();
                    double pct = x == 0 ? (y == 0 ? 0 : Double.POSITIVE_INFINITY) : (y - x) / Math.abs(x) * 100;
                    if (Math.abs(pct) >= threshold) {
                        System.out.printf("%-10s %-22s %-48s %14s %14s %8.1f%%%n", e.getValue().label(), e.getValue().system,
                                m.getKey(), na, nb, pct);
                    }
                }
            }
        }
    }

    private static Map<String, Result> load(String file) throws Exception {
        JsonNode doc = BenchMain.JSON.readTree(new File(file));
        List<Result> rs = BenchMain.JSON.convertValue(doc.get("results"), new TypeReference<List<Result>>() {});
        Map<String, Result> m = new LinkedHashMap<>();
        rs.forEach(r -> m.put(r.key(), r));
        return m;
    }
}

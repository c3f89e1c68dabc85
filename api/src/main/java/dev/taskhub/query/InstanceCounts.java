package dev.taskhub.query;

import dev.taskhub.RuntimeStatus;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How many instances match a query, per orchestration name and runtime status. Immutable.
 *
 * @param rows one row per (name, status) pair that has instances, sorted by name, then status; no zero counts
 */
public record InstanceCounts(List<Row> rows) {
    /** One (name, status) pair and how many instances have it. A null name is stored as the empty string. */
    public record Row(String name, RuntimeStatus status, long count) {
        public Row {
            name = name == null ? "" : name;
            Objects.requireNonNull(status, "status");
            if (count < 1) {
                throw new IllegalArgumentException("count must be positive, got " + count);
            }
        }
    }

    public InstanceCounts {
        rows = rows.stream().sorted(Comparator.comparing(Row::name).thenComparing(Row::status)).toList();
    }

    /** No instances. */
    public static final InstanceCounts EMPTY = new InstanceCounts(List.of());

    /** All matching instances. */
    public long total() {
        return rows.stream().mapToLong(Row::count).sum();
    }

    /** Counts per status, in {@link RuntimeStatus} order; statuses without instances are absent. */
    public Map<RuntimeStatus, Long> byStatus() {
        Map<RuntimeStatus, Long> out = new EnumMap<>(RuntimeStatus.class);
        rows.forEach(r -> out.merge(r.status(), r.count(), Long::sum));
        return out;
    }

    /** Counts per orchestration name, then status, names sorted. */
    public Map<String, Map<RuntimeStatus, Long>> byName() {
        Map<String, Map<RuntimeStatus, Long>> out = new TreeMap<>();
        rows.forEach(r -> out.computeIfAbsent(r.name(), n -> new EnumMap<>(RuntimeStatus.class)).merge(r.status(), r.count(), Long::sum));
        return out;
    }

    /** Adds up instances one at a time (for stores that count by scanning). Not thread-safe. */
    public static final class Tally {
        private final Map<String, Map<RuntimeStatus, Long>> counts = new HashMap<>();

        /** Counts one instance. */
        public Tally add(String name, RuntimeStatus status) {
            return add(name, status, 1);
        }

        /** Counts {@code count} instances of one name and status. */
        public Tally add(String name, RuntimeStatus status, long count) {
            counts.computeIfAbsent(name == null ? "" : name, n -> new EnumMap<>(RuntimeStatus.class)).merge(status, count, Long::sum);
            return this;
        }

        public InstanceCounts build() {
            List<Row> rows = new ArrayList<>();
            counts.forEach((name, byStatus) -> byStatus.forEach((status, n) -> rows.add(new Row(name, status, n))));
            return new InstanceCounts(rows);
        }
    }
}

package dev.taskhub.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Management at scale: loads N finished instances, then times a filtered page of 100 (status + created range), a
 * full paged scan (page size 1,000), an instance-id prefix query and a purge by criteria of all of them.
 *
 * <p>Loading: on PostgreSQL by default a direct {@code COPY} into the provider's {@code instances} and {@code history}
 * tables (columns of migration V1, times as timestamptz or epoch nanoseconds, whichever the schema has; 3 history
 * events per instance, serialised as the provider's Codec does) plus queued activity messages belonging to some of the
 * instances ({@code --activity-messages}, default N / 10: what instances terminated while activities were still queued
 * leave behind, and what purge must delete too), then {@code VACUUM ANALYZE} as autovacuum would after a real load. Elsewhere (or with {@code --load spi}) through the SPI: createInstance, then
 * lock the start messages and commit a checkpoint that finishes each instance — what a real run leaves behind minus
 * the activity events.
 */
final class ManagementBench {
    private static final ObjectMapper MAPPER = JsonDataConverter.DEFAULT.mapper();
    private static final String NAME = "BenchManaged";

    private final Args args;
    private final String provider;

    ManagementBench(Args args, String provider) {
        this.args = args;
        this.provider = provider;
    }

    /** Instance i: id mgmt-%07d, created at base + i * step, status FAILED every 20th, TERMINATED the next, else COMPLETED. */
    static String id(int i) {
        String digits = Integer.toString(i);
        return "mgmt-" + "0000000".substring(Math.min(7, digits.length())) + digits;
    }

    static RuntimeStatus status(int i) {
        return i % 20 == 0 ? RuntimeStatus.FAILED : i % 20 == 1 ? RuntimeStatus.TERMINATED : RuntimeStatus.COMPLETED;
    }

    Result run() throws Exception {
        // Azurite loads ~100 instances/s through the SPI here: 5,000 by default, 1,000,000 elsewhere
        int n = args.getInt("n", provider.equals("azure-storage") ? 5_000 : 1_000_000);
        String load = args.get("load", provider.equals("postgres") ? "copy" : "spi");
        int activities = args.getInt("activity-messages", load.equals("copy") ? n / 10 : 0);
        if (activities > 0 && !load.equals("copy")) {
            throw new IllegalArgumentException("--activity-messages needs --load copy (PostgreSQL)");
        }
        Result r = new Result("mgmt", "taskhub/" + provider);
        String hub = TaskhubBench.hubName("mgmt");
        r.set("n", n).set("load", load).set("taskHub", hub).set("activityMessages", activities);
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        long stepMicros = 86_400_000_000L * 30 / Math.max(1, n); // spread over 30 days
        Instant[] created = new Instant[1];
        try (StorageProvider p = Backends.open(provider, hub, args)) {
            long t = System.nanoTime();
            if (load.equals("copy")) {
                copyLoad(p, hub, n, activities, base, stepMicros);
            } else {
                spiLoad(p, n, base, stepMicros, args.getInt("load-threads", provider.equals("inmemory") ? 1 : 4));
            }
            double loadS = (System.nanoTime() - t) / 1e9;
            r.metric("load_s", Stats.round(loadS)).metric("load_per_s", Stats.round1(n / loadS));
            TaskHubClient client = new TaskHubClient(p);
            created[0] = at(base, stepMicros, n);

            // a filtered page of 100: one status, the middle fifth of the created range
            Instant from = at(base, stepMicros, (int) (n * 0.4));
            Instant to = at(base, stepMicros, (int) (n * 0.6));
            for (RuntimeStatus st : List.of(RuntimeStatus.FAILED, RuntimeStatus.COMPLETED)) {
                InstanceQuery q = InstanceQuery.builder().statuses(st).createdFrom(from).createdTo(to).pageSize(100).build();
                String key = "filtered_page100_" + st.name().toLowerCase();
                timeQuery(r, key, () -> client.queryInstances(q), 100);
                // the next page, through the continuation token
                String token = client.queryInstances(q).continuationToken();
                if (token != null) {
                    InstanceQuery q2 = q.withContinuationToken(token);
                    timeQuery(r, key + "_next", () -> client.queryInstances(q2), 100);
                }
            }
            // prefix query: 100 ids share the prefix mgmt-00042
            InstanceQuery pq = InstanceQuery.builder().instanceIdPrefix(id(4200).substring(0, 10)).pageSize(100).build();
            timeQuery(r, "prefix_page100", () -> client.queryInstances(pq), Math.min(100, Math.max(0, n - 4200)));

            // counts per status and name: the whole hub, and one status in the middle fifth
            timeCount(r, "count_all", () -> client.countInstances(InstanceQuery.builder().build()), n);
            timeCount(r, "count_failed_range", () -> client.countInstances(InstanceQuery.builder().statuses(RuntimeStatus.FAILED)
                    .createdFrom(from).createdTo(to).build()), -1);

            // full paged scan
            long s = System.nanoTime();
            int pages = 0;
            long seen = 0;
            String token = null;
            long slowestPage = 0;
            do {
                long ps = System.nanoTime();
                QueryResult page = client.queryInstances(InstanceQuery.builder().pageSize(1000).continuationToken(token).build());
                slowestPage = Math.max(slowestPage, System.nanoTime() - ps);
                pages++;
                seen += page.instances().size();
                token = page.continuationToken();
            } while (token != null);
            double scanS = (System.nanoTime() - s) / 1e9;
            r.metric("full_scan_s", Stats.round(scanS)).metric("full_scan_pages", pages).metric("full_scan_instances", seen);
            r.metric("full_scan_ms_per_page", Stats.round(scanS * 1000 / pages)).metric("full_scan_slowest_page_ms", Stats.round(slowestPage / 1e6));
            if (seen != n) {
                r.status = "failed";
                r.note("the full scan saw " + seen + " instances, expected " + n);
            }

            if (args.flag("no-purge")) {
                r.note("--no-purge: the instances were left in task hub " + hub);
                return r;
            }
            // purge everything
            s = System.nanoTime();
            long purged = client.purgeInstances(PurgeCriteria.builder().createdFrom(Instant.EPOCH).build());
            double purgeS = (System.nanoTime() - s) / 1e9;
            r.metric("purge_all_s", Stats.round(purgeS)).metric("purged", purged).metric("purge_per_s", Stats.round1(purged / purgeS));
            if (purged != n) {
                r.status = "failed";
                r.note("purge removed " + purged + " instances, expected " + n);
            }
            if (load.equals("copy")) {
                long left = activityMessagesLeft(hub);
                r.metric("activity_messages_left", left);
                if (left != 0) {
                    r.status = "failed";
                    r.note("purge left " + left + " queued activity messages of purged instances");
                }
            }
            if (!args.flag("keep")) {
                p.deleteTaskHub();
            }
        }
        r.note("timed through TaskHubClient on the provider; each query: the first (cold JVM) run, then up to 200 "
                + "unmeasured runs (at most 3 s), then p50/max of 20 measured runs");
        if (load.equals("copy")) {
            r.note("loaded with COPY straight into the provider's instances/history tables (3 events per instance) and "
                    + activities + " queued activity messages spread evenly over the instances, then VACUUM ANALYZE");
        } else {
            r.note("loaded through the SPI: createInstance + lock + checkpoint (3 history events per instance)");
        }
        return r;
    }

    private static Instant at(Instant base, long stepMicros, int i) {
        return base.plus(Duration.ofNanos(stepMicros * 1000L * i));
    }

    /** Times a count like {@link #timeQuery} (fewer repeats: a count reads every match); checks the total unless -1. */
    private void timeCount(Result r, String key, java.util.function.Supplier<InstanceCounts> count, long expectedTotal) {
        long s = System.nanoTime();
        InstanceCounts first = count.get();
        long cold = System.nanoTime() - s;
        long[] runs = new long[args.getInt("count-repeats", 5)];
        for (int i = 0; i < runs.length; i++) {
            s = System.nanoTime();
            count.get();
            runs[i] = (System.nanoTime() - s) / 1000;
        }
        r.metric(key + "_first_ms", Stats.round(cold / 1e6));
        r.metric(key + "_p50_ms", Stats.round(new Stats(runs).pMs(50)));
        r.metric(key + "_total", first.total());
        if (expectedTotal >= 0 && first.total() != expectedTotal) {
            r.status = "failed";
            r.note(key + " counted " + first.total() + " instances, expected " + expectedTotal);
        }
    }

    private void timeQuery(Result r, String key, java.util.function.Supplier<QueryResult> q, int expected) {
        long s = System.nanoTime();
        QueryResult first = q.get();
        long cold = System.nanoTime() - s;
        // JIT and connection warm-up: a fresh JVM's first runs measure the compiler, not the query
        long warmDeadline = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < args.getInt("query-warmup", 200) && System.nanoTime() < warmDeadline; i++) {
            q.get();
        }
        long[] runs = new long[args.getInt("query-repeats", 20)];
        for (int i = 0; i < runs.length; i++) {
            s = System.nanoTime();
            q.get();
            runs[i] = (System.nanoTime() - s) / 1000;
        }
        r.metric(key + "_first_ms", Stats.round(cold / 1e6));
        r.metric(key + "_p50_ms", Stats.round(new Stats(runs).pMs(50)));
        r.metric(key + "_max_ms", Stats.round(new Stats(runs).maxMs()));
        if (first.instances().size() != expected) {
            r.note(key + " returned " + first.instances().size() + " instances, expected " + expected);
        }
    }

    // ---- loading through the SPI -------------------------------------------------------------------------------

    private static InstanceState finalState(int i, Instant base, long stepMicros, String executionId) {
        Instant createdAt = at(base, stepMicros, i);
        RuntimeStatus st = status(i);
        String output = st == RuntimeStatus.COMPLETED ? "\"done\"" : st == RuntimeStatus.TERMINATED ? "\"stopped by bench\"" : null;
        dev.taskhub.FailureDetails fd = st == RuntimeStatus.FAILED ? new dev.taskhub.FailureDetails("BenchFailure", "failed on purpose", "") : null;
        return InstanceState.builder().instanceId(id(i)).name(NAME).executionId(executionId).status(st)
                .input("\"input-" + i + "\"").output(output).failureDetails(fd).createdAt(createdAt)
                .lastUpdatedAt(createdAt.plusSeconds(1)).build();
    }

    private static List<HistoryEvent> events(InstanceState s) {
        Instant c = s.createdAt();
        HistoryEvent end = s.status() == RuntimeStatus.TERMINATED
                ? new HistoryEvent.ExecutionTerminated(-1, s.lastUpdatedAt(), "stopped by bench", false)
                : new HistoryEvent.ExecutionCompleted(-1, s.lastUpdatedAt(), s.status(), s.output(), s.failureDetails());
        return List.of(new HistoryEvent.OrchestratorStarted(-1, c),
                new HistoryEvent.ExecutionStarted(-1, c, NAME, null, s.input(), s.executionId(), null, null), end);
    }

    static void spiLoad(StorageProvider p, int n, Instant base, long stepMicros, int threads) throws InterruptedException {
        FINISHED.set(0);
        AtomicInteger next = new AtomicInteger();
        int chunk = 500;
        List<Thread> ts = new ArrayList<>();
        RuntimeException[] failure = new RuntimeException[1];
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (true) {
                        int from = next.getAndAdd(chunk);
                        if (from >= n) {
                            return;
                        }
                        int to = Math.min(n, from + chunk);
                        for (int i = from; i < to; i++) {
                            String exec = "e" + i;
                            InstanceState fin = finalState(i, base, stepMicros, exec);
                            InstanceState pending = InstanceState.builder().instanceId(fin.instanceId()).name(NAME)
                                    .executionId(exec).status(RuntimeStatus.PENDING).input(fin.input())
                                    .createdAt(fin.createdAt()).lastUpdatedAt(fin.createdAt()).build();
                            TaskMessage start = new TaskMessage("s" + i, fin.instanceId(), exec,
                                    new HistoryEvent.ExecutionStarted(-1, fin.createdAt(), NAME, null, fin.input(), exec, null, null), null);
                            p.createInstance(pending, start, Set.of());
                        }
                        finishLocked(p, base, stepMicros, to - from);
                    }
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            }, "bench-loader-" + t);
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        // whatever another thread's lock round left behind, or a refused commit (e.g. a partition that moved) redelivers
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (FINISHED.get() < n && System.nanoTime() < deadline) {
            finishLocked(p, base, stepMicros, Integer.MAX_VALUE);
        }
        if (FINISHED.get() < n) {
            throw new IllegalStateException("bulk load finished only " + FINISHED.get() + " of " + n + " instances");
        }
    }

    private static final AtomicInteger FINISHED = new AtomicInteger();

    private static void finishLocked(StorageProvider p, Instant base, long stepMicros, int atLeast) {
        int finished = 0;
        while (finished < atLeast) {
            List<OrchestrationWorkItem> items = p.lockOrchestrationWorkItems(Math.min(500, Math.max(1, atLeast - finished)),
                    Duration.ofSeconds(30), Duration.ofMillis(atLeast == Integer.MAX_VALUE ? 500 : 2000));
            if (items.isEmpty()) {
                return;
            }
            List<Checkpoint> cps = new ArrayList<>(items.size());
            for (OrchestrationWorkItem item : items) {
                int i = Integer.parseInt(item.instanceId().substring(5));
                InstanceState fin = finalState(i, base, stepMicros, item.instance().executionId());
                cps.add(new Checkpoint(item, events(fin), false, fin, List.of(), List.of()));
            }
            List<CommitResult> results = p.commitCheckpoints(cps);
            for (CommitResult cr : results) {
                if (cr.isCommitted()) {
                    FINISHED.incrementAndGet();
                } // a refused one is delivered again and finished by a later round
            }
            finished += items.size();
        }
    }

    // ---- loading PostgreSQL directly -------------------------------------------------------------------------------

    private String schema() {
        return args.providerSettings.getOrDefault("taskhub.postgres.schema", "taskhub");
    }

    private String pgUrl() {
        return args.get("pg-url", Backends.pgJdbcUrl(Backends.TASKHUB_DB));
    }

    private long activityMessagesLeft(String hub) throws java.sql.SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(pgUrl());
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + schema() + ".activity_messages WHERE hub = ?")) {
            ps.setString(1, hub);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean tableExists(Connection c, String schema, String table) throws java.sql.SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, schema + "." + table);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    void copyLoad(StorageProvider p, String hub, int n, int activities, Instant base, long stepMicros) throws Exception {
        String schema = schema();
        try (Connection c = java.sql.DriverManager.getConnection(pgUrl())) {
            c.setAutoCommit(false);
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            // the time columns changed during development: timestamptz (created_at, ...) or epoch nanoseconds (created_ns, ...)
            boolean nanos;
            try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT 1 FROM information_schema.columns WHERE table_schema = ? "
                    + "AND table_name = 'instances' AND column_name = 'created_ns'")) {
                ps.setString(1, schema);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    nanos = rs.next();
                }
            }
            String times = nanos ? "created_ns, updated_ns" : "created_at, last_updated_at";
            // a bulk load, as a restore does it: no per-row triggers; the instance counts (migration V4) are added below
            boolean counted = tableExists(c, schema, "instance_counts");
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL session_replication_role = replica");
            }
            CopyIn inst = cm.copyIn("COPY " + schema + ".instances (hub, instance_id, name, version, execution_id, status, input, "
                    + "output, custom_status, failure_details, " + times + ", history_version, history_count) "
                    + "FROM STDIN (FORMAT csv)");
            StringBuilder sb = new StringBuilder(1 << 20);
            for (int i = 0; i < n; i++) {
                InstanceState s = finalState(i, base, stepMicros, "e" + i);
                csv(sb, hub, s.instanceId(), s.name(), null, s.executionId(), s.status().name(), s.input(), s.output(), null,
                        s.failureDetails() == null ? null : MAPPER.writeValueAsString(s.failureDetails()),
                        time(s.createdAt(), nanos), time(s.lastUpdatedAt(), nanos), "1", "3");
                if (sb.length() > (1 << 20) - 4096) {
                    flush(inst, sb);
                }
            }
            flush(inst, sb);
            inst.endCopy();
            CopyIn hist = cm.copyIn("COPY " + schema + ".history (hub, instance_id, seq, event) FROM STDIN (FORMAT csv)");
            for (int i = 0; i < n; i++) {
                InstanceState s = finalState(i, base, stepMicros, "e" + i);
                List<HistoryEvent> ev = events(s);
                for (int k = 0; k < ev.size(); k++) {
                    csv(sb, hub, s.instanceId(), Integer.toString(k), MAPPER.writeValueAsString(ev.get(k)));
                }
                if (sb.length() > (1 << 20) - 4096) {
                    flush(hist, sb);
                }
            }
            flush(hist, sb);
            hist.endCopy();
            // queued activity messages, spread evenly over the instances (several per instance when more than N)
            CopyIn act = cm.copyIn("COPY " + schema + ".activity_messages (hub, message_id, instance_id, execution_id, task_id, "
                    + "name, input) FROM STDIN (FORMAT csv)");
            for (int k = 0; k < activities; k++) {
                int i = (int) ((long) k * n / activities);
                csv(sb, hub, "act-" + k, id(i), "e" + i, Integer.toString(k), "BenchActivity", "\"input-" + k + "\"");
                if (sb.length() > (1 << 20) - 4096) {
                    flush(act, sb);
                }
            }
            flush(act, sb);
            act.endCopy();
            if (counted) {
                try (java.sql.PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".instance_counts (hub, name, status, shard, n) "
                        + "SELECT hub, coalesce(name, ''), status, 0, count(*) FROM " + schema + ".instances WHERE hub = ? "
                        + "AND status IS NOT NULL GROUP BY 1, 2, 3")) {
                    ps.setString(1, hub);
                    ps.executeUpdate();
                }
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.execute("VACUUM ANALYZE " + schema + ".instances");
                st.execute("VACUUM ANALYZE " + schema + ".history");
                st.execute("VACUUM ANALYZE " + schema + ".activity_messages");
            }
        }
    }

    private static String time(Instant t, boolean nanos) {
        return nanos ? Long.toString(t.getEpochSecond() * 1_000_000_000L + t.getNano()) : t.toString();
    }

    private static void flush(CopyIn in, StringBuilder sb) throws java.sql.SQLException {
        byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(b, 0, b.length);
        sb.setLength(0);
    }

    private static void csv(StringBuilder sb, String... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields[i];
            if (f != null) { // unquoted empty = NULL in CSV format
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            }
        }
        sb.append('\n');
    }
}

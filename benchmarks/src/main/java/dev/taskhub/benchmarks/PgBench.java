package dev.taskhub.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceiling of the machine's PostgreSQL: {@code pgbench -i -s 10} into a scratch database, then TPC-B-like
 * ({@code -c 8 -j 2 -T 20}) and simple-update ({@code -N}) runs. The pgbench binary must be on the PATH.
 */
final class PgBench {
    static final String DB = "pgbench_scratch";
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LAT = Pattern.compile("latency average = ([0-9.]+) ms");

    private PgBench() {}

    static Result run(Args args) throws Exception {
        Result r = new Result("pgbench", "pgbench");
        int scale = args.getInt("scale", 10);
        int clients = args.getInt("clients", 8);
        int threads = args.getInt("threads", 2);
        int seconds = args.getInt("seconds", 20);
        r.set("scale", scale).set("clients", clients).set("threads", threads).set("seconds", seconds).set("database", DB);
        Backends.ensureDatabase(DB, true);
        long t0 = System.nanoTime();
        exec(List.of("-i", "-s", Integer.toString(scale), "-q"), false);
        r.metric("init_s", Stats.round((System.nanoTime() - t0) / 1e9));
        for (boolean simple : new boolean[]{false, true}) {
            List<String> a = new ArrayList<>(List.of("-c", "" + clients, "-j", "" + threads, "-T", "" + seconds));
            if (simple) {
                a.add("-N");
            }
            String out = exec(a, true);
            String key = simple ? "tps_simple_update_N" : "tps_tpcb";
            Matcher m = TPS.matcher(out);
            if (!m.find()) {
                throw new IllegalStateException("no tps in pgbench output:\n" + out);
            }
            r.metric(key, Double.parseDouble(m.group(1)));
            Matcher l = LAT.matcher(out);
            if (l.find()) {
                r.metric(key.replace("tps", "latency_avg_ms"), Double.parseDouble(l.group(1)));
            }
        }
        r.seconds = Stats.round((System.nanoTime() - t0) / 1e9);
        r.metric("server_version", Backends.pgVersion());
        if (!args.flag("keep")) {
            Backends.ensureDatabase(DB, true);
        }
        return r;
    }

    private static String exec(List<String> extra, boolean echo) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("pgbench", "-h", Backends.PG_HOST, "-p", "" + Backends.PG_PORT, "-U", Backends.PG_USER));
        cmd.addAll(extra);
        cmd.add(DB);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader br = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = br.readLine()) != null) {
                out.append(line).append('\n');
                if (echo && (line.startsWith("tps") || line.startsWith("latency") || line.startsWith("number of transactions actually"))) {
                    System.out.println("  pgbench " + String.join(" ", extra) + ": " + line);
                }
            }
        }
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out.toString();
    }
}

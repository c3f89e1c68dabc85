package dev.taskhub.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code <command> [--key value | --flag]... [--set k=v]...}: a tiny parser, no dependency. */
final class Args {
    final String command;
    private final Map<String, String> options = new LinkedHashMap<>();
    final Map<String, String> providerSettings = new LinkedHashMap<>();
    final List<String> raw;
    private final List<String> rest = new ArrayList<>();

    Args(String[] argv) {
        raw = List.of(argv);
        String cmd = null;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String key = a.substring(2);
                String value = "true";
                int eq = key.indexOf('=');
                if (eq >= 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                    value = argv[++i];
                }
                if (key.equals("set")) {
                    int e = value.indexOf('=');
                    if (e <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, got '" + value + "'");
                    }
                    providerSettings.put(value.substring(0, e), value.substring(e + 1));
                } else {
                    options.put(key, value);
                }
            } else if (cmd == null) {
                cmd = a;
            } else {
                rest.add(a);
            }
        }
        command = cmd == null ? "help" : cmd;
    }

    /** Positional arguments after the command. */
    List<String> rest() {
        return rest;
    }

    String get(String key, String def) {
        return options.getOrDefault(key, def);
    }

    boolean has(String key) {
        return options.containsKey(key);
    }

    boolean flag(String key) {
        return Boolean.parseBoolean(options.getOrDefault(key, "false"));
    }

    int getInt(String key, int def) {
        String v = options.get(key);
        return v == null ? def : Integer.parseInt(v.replace("_", "").replace(",", ""));
    }

    long getLong(String key, long def) {
        String v = options.get(key);
        return v == null ? def : Long.parseLong(v.replace("_", "").replace(",", ""));
    }

    /** The arguments to pass on to a child run, without the command. */
    List<String> passThrough() {
        List<String> out = new ArrayList<>();
        options.forEach((k, v) -> {
            out.add("--" + k);
            out.add(v);
        });
        providerSettings.forEach((k, v) -> {
            out.add("--set");
            out.add(k + "=" + v);
        });
        return out;
    }
}

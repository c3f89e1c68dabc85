package dev.taskhub.buildsummary;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Prints the closing summary of a Taskhub build: for each storage provider, whether its tests ran, and if they were
 * skipped, why. Reads the files the provider modules' tests wrote ({@code <provider>.<pid>.properties}, see
 * {@code ProviderTestSummaryListener} in the conformance suite); files of an earlier build are ignored. Never fails:
 * a provider without a file is reported as not tested in this build.
 *
 * <p>Arguments: the directory, the build's timestamp, the providers to report (comma-separated).
 */
public final class ProviderTestSummary {
    private ProviderTestSummary() {}

    /** One provider's counts, summed over its test JVMs. */
    private static final class Counts {
        int passed;
        int failed;
        int skipped;
        int disabled;
        final Set<String> reasons = new LinkedHashSet<>();
    }

    public static void main(String[] args) {
        if (args.length < 3) {
            System.out.println("ProviderTestSummary DIR BUILD PROVIDERS");
            return;
        }
        Path dir = Path.of(args[0]);
        String build = args[1];
        Map<String, Counts> byProvider = new LinkedHashMap<>();
        for (String p : args[2].split(",")) {
            byProvider.put(p.trim(), null);
        }
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.properties")) {
                for (Path f : files) {
                    Properties p = new Properties();
                    try (InputStream in = Files.newInputStream(f)) {
                        p.load(in);
                    }
                    if (!build.equals(p.getProperty("build")) || p.getProperty("provider") == null) {
                        continue;
                    }
                    Counts c = byProvider.get(p.getProperty("provider"));
                    if (c == null) {
                        c = new Counts();
                        byProvider.put(p.getProperty("provider"), c);
                    }
                    c.passed += number(p, "passed");
                    c.failed += number(p, "failed");
                    c.skipped += number(p, "skipped");
                    c.disabled += number(p, "disabled");
                    for (int i = 1; p.getProperty("reason." + i) != null; i++) {
                        c.reasons.add(p.getProperty("reason." + i));
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.out.println("[WARNING] Provider test summary incomplete: cannot read " + dir + ": " + e.getMessage());
            }
        }
        List<String> lines = new ArrayList<>();
        int width = byProvider.keySet().stream().mapToInt(String::length).max().orElse(8);
        for (Map.Entry<String, Counts> e : byProvider.entrySet()) {
            lines.add(String.format("[INFO]   %-" + width + "s  %s", e.getKey(), describe(e.getValue())));
        }
        String rule = "[INFO] ------------------------------------------------------------------------";
        System.out.println(rule);
        System.out.println("[INFO] Provider tests in this build:");
        lines.forEach(System.out::println);
        System.out.println(rule);
    }

    private static String describe(Counts c) {
        if (c == null) {
            return "NOT TESTED in this build (module not built, tests skipped or none selected)";
        }
        int ran = c.passed + c.failed;
        String failed = c.failed > 0 ? ", " + c.failed + " FAILED" : "";
        String disabled = c.disabled > 0 ? ", " + c.disabled + " disabled" : "";
        String reasons = c.reasons.isEmpty() ? "" : ": " + String.join(" | ", c.reasons);
        if (c.skipped > 0 && c.skipped >= ran) {
            // most tests need the backend: the provider as a whole was not tested
            return "SKIPPED " + c.skipped + " of " + tests(c.skipped + ran) + (ran > 0 ? " (" + ran + " ran" + failed + ")" : "")
                    + disabled + reasons;
        }
        if (ran == 0) {
            return "no tests ran" + disabled;
        }
        return "ran " + tests(ran) + failed + (c.skipped > 0 ? ", " + c.skipped + " skipped" : "") + disabled + reasons;
    }

    private static String tests(int n) {
        return n + (n == 1 ? " test" : " tests");
    }

    private static int number(Properties p, String key) {
        try {
            return Integer.parseInt(p.getProperty(key, "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

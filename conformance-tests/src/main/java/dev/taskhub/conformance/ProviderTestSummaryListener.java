package dev.taskhub.conformance;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;

/**
 * Records, for the summary that ends the Taskhub build, how many of a provider module's tests ran and how many were
 * skipped, and why (the message of the assumption that aborted them, e.g. "No PostgreSQL server ...").
 *
 * <p>Registered through {@code META-INF/services}, so it sees every test run on a class path that holds this jar. It
 * does nothing unless the system properties {@code taskhub.summary.dir}, {@code taskhub.summary.build} and
 * {@code taskhub.summary.module} are set — the Taskhub build sets them in Surefire's configuration — and the module is
 * a provider ({@code taskhub-provider-*}). It then writes {@code <dir>/<provider>.properties}, which the build's last
 * module ({@code build-summary}) prints.
 */
public final class ProviderTestSummaryListener implements TestExecutionListener {
    private static final String MODULE_PREFIX = "taskhub-provider-";

    private final String dir = System.getProperty("taskhub.summary.dir");
    private final String build = System.getProperty("taskhub.summary.build");
    private final String module = System.getProperty("taskhub.summary.module");
    private TestPlan plan;
    private int passed;
    private int failed;
    private int aborted;
    private int disabled;
    private final Set<String> reasons = new LinkedHashSet<>();
    private final Set<String> counted = new HashSet<>();

    private boolean active() {
        return dir != null && !dir.isBlank() && build != null && module != null && module.startsWith(MODULE_PREFIX);
    }

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        disabled += unseen(id);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL && !id.isTest()) {
            return;
        }
        // a test, or a class whose @BeforeAll gave up or failed: then its tests never start, and count as that class did
        int n = unseen(id);
        switch (result.getStatus()) {
            case SUCCESSFUL -> passed += n;
            case FAILED -> failed += n;
            case ABORTED -> {
                aborted += n;
                result.getThrowable().map(t -> String.valueOf(t.getMessage())).ifPresent(reasons::add);
            }
        }
    }

    /** The tests of {@code id} (itself, or those inside a container) not counted yet; marks them counted. */
    private int unseen(TestIdentifier id) {
        if (id.isTest()) {
            return counted.add(id.getUniqueId()) ? 1 : 0;
        }
        if (plan == null) {
            return 0;
        }
        int n = 0;
        for (TestIdentifier t : plan.getDescendants(id)) {
            if (t.isTest() && counted.add(t.getUniqueId())) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (!active()) {
            return;
        }
        String provider = module.substring(MODULE_PREFIX.length());
        Properties p = new Properties();
        p.setProperty("build", build);
        p.setProperty("provider", provider);
        p.setProperty("passed", Integer.toString(passed));
        p.setProperty("failed", Integer.toString(failed));
        p.setProperty("skipped", Integer.toString(aborted));
        p.setProperty("disabled", Integer.toString(disabled));
        int i = 0;
        for (String reason : reasons) {
            if (++i > 3) {
                break;
            }
            p.setProperty("reason." + i, reason.replaceAll("\\s+", " ").trim());
        }
        try {
            Path d = Path.of(dir);
            Files.createDirectories(d);
            // one file per test JVM; this provider's files from earlier builds go
            try (DirectoryStream<Path> files = Files.newDirectoryStream(d, provider + ".*.properties")) {
                for (Path f : files) {
                    Properties earlier = new Properties();
                    try (var in = Files.newInputStream(f)) {
                        earlier.load(in);
                    }
                    if (!build.equals(earlier.getProperty("build"))) {
                        Files.deleteIfExists(f);
                    }
                }
            }
            try (OutputStream out = Files.newOutputStream(d.resolve(provider + "." + ProcessHandle.current().pid() + ".properties"))) {
                p.store(out, "Taskhub provider test summary (read by the build-summary module)");
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Taskhub: could not record the provider test summary in " + dir + ": " + e.getMessage());
        }
    }
}

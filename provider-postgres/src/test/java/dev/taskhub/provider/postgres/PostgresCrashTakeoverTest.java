package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.OrchestrationWorkItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.taskhub.provider.postgres.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker process that dies holding locks with a five-minute lease: the other workers take its orchestration and
 * activity locks over within seconds of its database session ending, and never while it lives.
 */
class PostgresCrashTakeoverTest {
    private PostgresStorageProvider provider;
    private Process holder;

    @BeforeEach
    void setUp() {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgtakeover"), Map.of());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (holder != null) {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        PostgresTestDatabase.deleteAndClose(provider);
    }

    @Test
    void locksOfAWorkerWhoseSessionEnded_areTakenOverBeforeTheirLease_andNeverWhileItLives() throws Exception {
        // an activity scheduled by one instance, and another instance waiting for its first episode
        provider.createInstance(pending("caller"), start("caller"), Set.of());
        OrchestrationWorkItem caller = null;
        for (int i = 0; i < 20 && caller == null; i++) {
            caller = provider.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ofSeconds(1)).stream().findFirst().orElse(null);
        }
        assertThat(caller).isNotNull();
        provider.commitCheckpoints(List.of(episode(caller, dev.taskhub.RuntimeStatus.RUNNING, List.of(), List.of(activity("caller", 0, "Work")))));
        provider.createInstance(pending("waiting"), start("waiting"), Set.of());

        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        holder = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", LockHolderMain.class.getName(), PostgresTestDatabase.url(),
                provider.taskHubName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(line).startsWith("LOCKED waiting ");
        assertThat(tokens()).as("the holder's tokens name its owner id").allMatch(t -> t.matches("(\\d+\\.)?\\d+:.+"));

        // while the holder lives, several takeover passes leave its locks alone
        List<OrchestrationWorkItem> early = new ArrayList<>();
        List<ActivityWorkItem> earlyActivities = new ArrayList<>();
        long until = System.nanoTime() + OwnerLiveness.REAP_INTERVAL.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
            early.addAll(provider.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ofMillis(200)));
            earlyActivities.addAll(provider.lockActivityWorkItems(1, Duration.ofSeconds(30), Duration.ofMillis(200)));
        }
        assertThat(early).isEmpty();
        assertThat(earlyActivities).isEmpty();

        holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        OrchestrationWorkItem taken = null;
        ActivityWorkItem takenActivity = null;
        while ((taken == null || takenActivity == null) && System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(60)) {
            if (taken == null) {
                taken = provider.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ofMillis(200)).stream().findFirst().orElse(null);
            }
            if (takenActivity == null) {
                takenActivity = provider.lockActivityWorkItems(1, Duration.ofSeconds(30), Duration.ofMillis(200)).stream().findFirst().orElse(null);
            }
        }
        double seconds = (System.nanoTime() - killed) / 1e9;
        assertThat(taken).as("the dead worker's instance, long before its 5-minute lease").isNotNull();
        assertThat(taken.instanceId()).isEqualTo("waiting");
        assertThat(taken.deliveryCount()).isEqualTo(2);
        assertThat(takenActivity).as("the dead worker's activity").isNotNull();
        assertThat(takenActivity.request().instanceId()).isEqualTo("caller");
        assertThat(seconds).as("taken over within seconds").isLessThan(60);
    }

    private List<String> tokens() throws Exception {
        List<String> tokens = new ArrayList<>();
        try (Connection c = PostgresTestDatabase.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT lock_token FROM taskhub.instances WHERE hub = '" + provider.taskHubName()
                     + "' AND lock_token IS NOT NULL UNION ALL SELECT lock_token FROM taskhub.activity_messages WHERE hub = '"
                     + provider.taskHubName() + "' AND lock_token IS NOT NULL")) {
            while (rs.next()) {
                tokens.add(rs.getString(1));
            }
        }
        assertThat(tokens).hasSize(2);
        return tokens;
    }
}

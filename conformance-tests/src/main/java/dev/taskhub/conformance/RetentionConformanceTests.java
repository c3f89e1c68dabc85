package dev.taskhub.conformance;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.RetentionReport;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Retention policies on this provider: stored with the hub (and deleted with it), enforced by bounded passes that purge
 * only finished instances of the policy's status (and name) that finished before the cutoff, retroactive when an age is
 * lowered, and run by workers in the background. Ages are judged by passes on a fixed clock, so no test waits days.
 */
public abstract class RetentionConformanceTests extends ConformanceTestBase {
    private static final Duration WEEK = Duration.ofDays(7);

    private TaskHubWorker startRetentionWorker() {
        return startWorker(w -> w
                .addOrchestrator("Echo", ctx -> ctx.getInput(Object.class))
                .addOrchestrator("Keep", ctx -> ctx.getInput(Object.class))
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("Go", String.class).await())
                .addOrchestrator("Fail", ctx -> {
                    throw new IllegalStateException("failing on purpose");
                }));
    }

    /** Starts the instances and waits until each has the status. */
    private void run(String orchestrator, RuntimeStatus expected, String... ids) {
        for (String id : ids) {
            client.scheduleNewOrchestrationInstance(orchestrator, id, NewOrchestrationOptions.withInstanceId(id));
        }
        for (String id : ids) {
            awaitStatus(id, expected);
        }
    }

    /**
     * A whole-millisecond instant after everything that finished so far and before anything that starts after this
     * returns.
     */
    private static Instant boundary() {
        Instant b = Instant.now().truncatedTo(ChronoUnit.MILLIS).plusMillis(1);
        await().pollInterval(Duration.ofMillis(1)).atMost(WAIT).until(() -> Instant.now().isAfter(b));
        return b;
    }

    /** A client whose clock stands at {@code when}: its retention passes judge ages from there. */
    private TaskHubClient clientAt(Instant when) {
        return new TaskHubClient(provider, HttpManagementOptions.builder().taskHub(taskHubName).build(), Clock.fixed(when, ZoneOffset.UTC));
    }

    private boolean exists(String id) {
        return client.getInstanceMetadata(id, false).isPresent();
    }

    @Test
    void policies_setListReplaceRemove_roundTrip_andAreSharedAndDeletedWithTheHub() {
        assertThat(client.getRetentionPolicies()).isEmpty();
        RetentionPolicy completed = RetentionPolicy.of(RuntimeStatus.COMPLETED, WEEK);
        RetentionPolicy failed = RetentionPolicy.of(RuntimeStatus.FAILED, Duration.ofDays(30));
        RetentionPolicy echo = RetentionPolicy.of(RuntimeStatus.COMPLETED, "Echo", Duration.ofHours(36));
        RetentionPolicy terminated = RetentionPolicy.of(RuntimeStatus.TERMINATED, "Order processing/v2 ü", Duration.ofMillis(1500));
        client.setRetentionPolicy(terminated);
        client.setRetentionPolicy(echo);
        client.setRetentionPolicy(failed);
        client.setRetentionPolicy(completed);
        assertThat(client.getRetentionPolicies()).containsExactly(completed, echo, failed, terminated);

        // one policy per (status, name): setting it again replaces it; another process sees the same set
        RetentionPolicy shorter = RetentionPolicy.of(RuntimeStatus.COMPLETED, Duration.ofDays(3));
        client.setRetentionPolicy(shorter);
        assertThat(secondProvider().retentionPolicies()).containsExactly(shorter, echo, failed, terminated);

        assertThat(client.removeRetentionPolicy(RuntimeStatus.COMPLETED, "Echo")).isTrue();
        assertThat(client.removeRetentionPolicy(RuntimeStatus.COMPLETED, "Echo")).as("removed already").isFalse();
        assertThat(client.removeRetentionPolicy(RuntimeStatus.FAILED, "Echo")).as("no such name policy").isFalse();
        assertThat(client.removeRetentionPolicy(RuntimeStatus.TERMINATED, null)).as("only a name policy exists").isFalse();
        assertThat(client.getRetentionPolicies()).containsExactly(shorter, failed, terminated);

        // other hubs in the same store see none of them
        StorageProvider other = createProvider(taskHubName + "x");
        try {
            other.createTaskHub();
            assertThat(other.retentionPolicies()).isEmpty();
            other.deleteTaskHub();
        } finally {
            other.close();
        }
        assertThat(client.getRetentionPolicies()).containsExactly(shorter, failed, terminated);

        provider.deleteTaskHub();
        provider.createTaskHub();
        assertThat(client.getRetentionPolicies()).as("deleted with the hub").isEmpty();
    }

    @Test
    void pass_purgesOnlyFinishedInstancesOfThePolicysStatusAndName_thatFinishedBeforeTheCutoff() {
        startRetentionWorker();
        String p = "ret-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        run("Echo", RuntimeStatus.COMPLETED, p + "old-echo-0", p + "old-echo-1");
        run("Keep", RuntimeStatus.COMPLETED, p + "old-keep");
        run("Fail", RuntimeStatus.FAILED, p + "old-fail");
        client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(p + "old-term"));
        client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(p + "old-run"));
        client.waitForInstanceStart(p + "old-run", WAIT);
        client.waitForInstanceStart(p + "old-term", WAIT);
        client.terminate(p + "old-term", "for the test");
        awaitStatus(p + "old-term", RuntimeStatus.TERMINATED);
        Instant cutoff = boundary();
        run("Echo", RuntimeStatus.COMPLETED, p + "new-echo");
        run("Keep", RuntimeStatus.COMPLETED, p + "new-keep");

        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.COMPLETED, WEEK));
        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.COMPLETED, "Keep", Duration.ofDays(30)));
        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.TERMINATED, Duration.ofDays(30)));
        RetentionReport report = clientAt(cutoff.plus(WEEK)).applyRetentionPolicies();

        assertThat(report.total()).isEqualTo(2);
        assertThat(report.outcomes()).extracting(o -> o.policy().describe(), RetentionReport.Outcome::purged)
                .containsExactly(tuple("Completed after 7d", 2L), tuple("Completed of Keep after 30d", 0L),
                        tuple("Terminated after 30d", 0L));
        assertThat(exists(p + "old-echo-0")).isFalse();
        assertThat(exists(p + "old-echo-1")).isFalse();
        assertThat(provider.getHistory(p + "old-echo-0")).as("history purged too").isEmpty();
        for (String kept : List.of("old-keep", "old-fail", "old-term", "old-run", "new-echo", "new-keep")) {
            assertThat(exists(p + kept)).as("%s is kept", kept).isTrue();
        }

        // 30 days on: a name's own policy keeps its recent instance although the status's policy would not; a policy
        // for Failed purges the failed one; running instances never go
        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.FAILED, Duration.ofDays(1)));
        RetentionReport later = clientAt(cutoff.plus(Duration.ofDays(30))).applyRetentionPolicies();
        assertThat(later.total()).isEqualTo(4);
        for (String gone : List.of("old-keep", "old-fail", "old-term", "new-echo")) {
            assertThat(exists(p + gone)).as("%s is purged", gone).isFalse();
        }
        for (String kept : List.of("old-run", "new-keep")) {
            assertThat(exists(p + kept)).as("%s is kept", kept).isTrue();
        }
        assertThat(clientAt(cutoff.plus(Duration.ofDays(30))).applyRetentionPolicies().total()).as("nothing left to purge").isZero();
    }

    @Test
    void pass_isBoundedPerPolicy_andTheNextPassTakesTheRest() {
        startRetentionWorker();
        String[] ids = new String[5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = uniqueId("bounded");
        }
        run("Echo", RuntimeStatus.COMPLETED, ids);
        Instant cutoff = boundary();
        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.COMPLETED, WEEK));
        TaskHubClient later = clientAt(cutoff.plus(WEEK));

        RetentionReport first = later.applyRetentionPolicies(2);
        assertThat(first.total()).isEqualTo(2);
        assertThat(first.more()).as("stopped at the limit").isTrue();
        assertThat(List.of(ids).stream().filter(this::exists)).hasSize(3);
        assertThat(later.applyRetentionPolicies(2).total()).isEqualTo(2);
        RetentionReport last = later.applyRetentionPolicies(2);
        assertThat(last.total()).isEqualTo(1);
        assertThat(last.more()).isFalse();
        assertThat(List.of(ids).stream().filter(this::exists)).isEmpty();
    }

    @Test
    void loweringAPolicy_purgesTheOlderInstancesAtTheNextPass() {
        startRetentionWorker();
        String old = uniqueId("old");
        String middle = uniqueId("middle");
        String recent = uniqueId("recent");
        run("Echo", RuntimeStatus.COMPLETED, old);
        Instant first = boundary();
        run("Echo", RuntimeStatus.COMPLETED, middle);
        Instant second = boundary();
        run("Echo", RuntimeStatus.COMPLETED, recent);

        Instant now = first.plus(WEEK);
        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.COMPLETED, WEEK));
        assertThat(clientAt(now).applyRetentionPolicies().total()).isEqualTo(1);
        assertThat(exists(old)).isFalse();
        assertThat(exists(middle)).isTrue();

        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.COMPLETED, Duration.between(second, now)));
        assertThat(clientAt(now).applyRetentionPolicies().total()).isEqualTo(1);
        assertThat(exists(middle)).isFalse();
        assertThat(exists(recent)).isTrue();
    }

    @Test
    void runningWorker_enforcesThePoliciesInTheBackground_withoutAnyCall() {
        client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.COMPLETED, Duration.ofSeconds(2)));
        startWorker(provider, testOptions().retentionInterval(Duration.ofMillis(200)).build(), w -> w
                .addOrchestrator("Echo", ctx -> ctx.getInput(Object.class))
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("Go", String.class).await()));
        String running = uniqueId("bg-running");
        client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(running));
        String[] done = {uniqueId("bg-done"), uniqueId("bg-done"), uniqueId("bg-done")};
        run("Echo", RuntimeStatus.COMPLETED, done);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(List.of(done).stream().filter(this::exists)).isEmpty());
        assertThat(exists(running)).as("running instances are never purged").isTrue();
    }
}

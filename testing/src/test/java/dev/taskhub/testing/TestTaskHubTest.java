package dev.taskhub.testing;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestTaskHubTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();

    @RegisterExtension
    static final TaskhubExtension taskhub = TaskhubExtension.builder()
            .startTime(START)
            .addOrchestrator("Sleeper", ctx -> {
                ctx.createTimer(Duration.ofDays(ctx.getInput(Integer.class))).await();
                return ctx.callActivity("Stamp", null, String.class).await();
            })
            .addActivity("Stamp", ctx -> "done")
            .addOrchestrator("Approval", ctx -> {
                Task<Boolean> approval = ctx.waitForExternalEvent("Approval", Boolean.class);
                Task<Void> timeout = ctx.createTimer(Duration.ofHours(1));
                return ctx.anyOf(List.of(approval, timeout)).await() == approval ? "Approved" : "Escalated";
            })
            .addOrchestrator("Hourly", ctx -> {
                int n = 0;
                for (int i = 0; i < 3; i++) {
                    ctx.createTimer(Duration.ofHours(1)).await();
                    n += ctx.callActivity("Count", i, Integer.class).await();
                }
                return n;
            })
            .addActivity("Count", ctx -> ctx.getInput(Integer.class))
            .addOrchestrator("Retrying", ctx -> ctx.callActivity("Flaky", ctx.getInstanceId(), String.class,
                    RetryPolicy.builder(5, Duration.ofHours(1)).build()).await())
            .addActivity("Flaky", ctx -> {
                if (ATTEMPTS.computeIfAbsent(ctx.getInput(String.class), k -> new AtomicInteger()).incrementAndGet() < 3) {
                    throw new IllegalStateException("not yet");
                }
                return "third time lucky";
            })
            .addOrchestrator("WaitsForever", ctx -> ctx.waitForExternalEvent("Never", String.class).await())
            .build();

    @Test
    void thirtyDayTimer_firesAsSoonAsEveryInstanceWaits(TestTaskHub hub) {
        String id = hub.start("Sleeper", 30);

        OrchestrationMetadata done = hub.waitForCompletion(id);

        assertThat(done.readOutputAs(String.class)).isEqualTo("done");
        assertThat(hub.now()).isAfterOrEqualTo(START.plus(Duration.ofDays(30)));
        hub.assertThat(id).createdTimers(1).firedTimers(1).calledActivities("Stamp").completedWith("done");
    }

    @Test
    void retryDelays_areSkipped(TestTaskHub hub) {
        String id = hub.start("Retrying", null);

        hub.waitForCompletion(id);

        hub.assertThat(id).calledActivities("Flaky", "Flaky", "Flaky").createdTimers(2).completedWith("third time lucky");
        assertThat(hub.now()).isAfterOrEqualTo(START.plus(Duration.ofHours(2)));   // two delays of 1 h
    }

    @Test
    void timeStandsStill_whileTheTestIsNotWaiting_soAnEventBeatsTheTimer(TestTaskHub hub) {
        String id = hub.start("Approval", null);
        hub.client().waitForInstanceStart(id, Duration.ofSeconds(10));

        hub.client().raiseEvent(id, "Approval", true);

        assertThat(hub.waitForCompletion(id).readOutputAs(String.class)).isEqualTo("Approved");
        assertThat(hub.now()).isBefore(START.plus(Duration.ofHours(1)));
        hub.assertThat(id).receivedEvents("Approval").createdTimers(1).firedTimers(0);
    }

    @Test
    void advance_movesTimeExplicitly_andRunsTheWorkDueOnTheWayInOrder(TestTaskHub hub) {
        hub.autoSkipTime(false);
        String id = hub.start("Hourly", null);
        hub.client().waitForInstanceStart(id, Duration.ofSeconds(10));

        hub.advance(Duration.ofMinutes(150));
        assertThat(hub.now()).isEqualTo(START.plus(Duration.ofMinutes(150)));
        hub.assertThat(id).hasStatus(RuntimeStatus.RUNNING).calledActivities("Count", "Count").firedTimers(2);

        hub.advance(Duration.ofMinutes(30));
        assertThat(hub.waitForCompletion(id).readOutputAs(Integer.class)).isEqualTo(3);
        assertThat(hub.now()).isEqualTo(START.plus(Duration.ofHours(3)));
    }

    @Test
    void withoutSkipping_aTimerDoesNotFire(TestTaskHub hub) {
        hub.autoSkipTime(false);
        String id = hub.start("Sleeper", 1);
        hub.client().waitForInstanceStart(id, Duration.ofSeconds(10));

        hub.advance(Duration.ofHours(23));

        hub.assertThat(id).hasStatus(RuntimeStatus.RUNNING).createdTimers(1).firedTimers(0);
        hub.advance(Duration.ofHours(1));
        hub.waitForCompletion(id);
        hub.assertThat(id).completedWith("done");
    }

    @Test
    void anInstanceWaitingForAnEvent_isReportedWhenTheWaitGivesUp() {
        try (TestTaskHub hub = TestTaskHub.builder().waitTimeout(Duration.ofMillis(500))
                .addOrchestrator("WaitsForever", ctx -> ctx.waitForExternalEvent("Never", String.class).await()).build()) {
            String id = hub.start("WaitsForever", null);
            Instant before = hub.now();

            assertThatThrownBy(() -> hub.waitForCompletion(id)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("did not finish").hasMessageContaining("waiting for an event");
            assertThat(hub.now()).isEqualTo(before);
        }
    }

    @Test
    void historyAssertions_reportWhatDiffers(TestTaskHub hub) {
        String id = hub.start("Sleeper", 2);
        hub.waitForCompletion(id);

        assertThatThrownBy(() -> hub.assertThat(id).calledActivities("Other"))
                .hasMessageContaining("expected activities called [Other] but was [Stamp]")
                .hasMessageContaining("TaskScheduled#1(Stamp)");
        assertThatThrownBy(() -> hub.assertThat(id).completedWith("something else")).hasMessageContaining("output");
        assertThatThrownBy(() -> hub.assertThat(id).failedWith("boom")).hasMessageContaining("expected status FAILED");
    }
}

package dev.taskhub.samples;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.replay.ReplayResult;
import dev.taskhub.replay.Replayer;
import dev.taskhub.worker.TaskRegistry;
import dev.taskhub.testing.TaskhubExtension;
import dev.taskhub.testing.TestTaskHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The samples on a test task hub with a virtual clock: timers (the approval timeout, the monitor's polling interval)
 * fire as soon as every instance waits, so no test waits for them in real time.
 */
class SamplesTest {
    @RegisterExtension
    static final TaskhubExtension taskhub = TaskhubExtension.builder().addModule(new SamplesModule()).build();

    private static OrchestrationMetadata complete(TestTaskHub hub, String id) {
        OrchestrationMetadata m = hub.waitForCompletion(id);
        assertThat(m.runtimeStatus()).as("status of %s: %s", id, m.failureDetails()).isEqualTo(RuntimeStatus.COMPLETED);
        return m;
    }

    @Test
    void helloSequence_saysHelloToThreeCities(TestTaskHub hub) {
        String id = hub.start(HelloSequence.ORCHESTRATOR, null);
        assertThat(complete(hub, id).serializedOutput()).isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
        hub.assertThat(id).calledActivities(HelloSequence.ACTIVITY, HelloSequence.ACTIVITY, HelloSequence.ACTIVITY);
    }

    /** How a team catches a breaking edit before deploying it: replay the stored histories against the new code. */
    @Test
    void helloSequence_historyReplays_againstTheCode_andAnEditThatDropsACityIsCaught(TestTaskHub hub) {
        String id = hub.start(HelloSequence.ORCHESTRATOR, null);
        complete(hub, id);
        List<HistoryEvent> history = hub.history(id);

        TaskRegistry current = new TaskRegistry();
        new SamplesModule().register(current);
        assertThat(Replayer.replay(history, current).nonDeterminism()).isEmpty();

        TaskRegistry edited = new TaskRegistry().addOrchestrator(HelloSequence.ORCHESTRATOR, ctx -> List.of(
                ctx.callActivity(HelloSequence.ACTIVITY, "Tokyo", String.class).await(),
                ctx.callActivity(HelloSequence.ACTIVITY, "London", String.class).await()));
        ReplayResult result = Replayer.replay(history, edited);
        assertThat(result.nonDeterminism()).as("Seattle's call is gone").hasValueSatisfying(n -> assertThat(n.message())
                .contains("records a call of activity '" + HelloSequence.ACTIVITY + "' (#2)", "completes without making call #2"));
    }

    @Test
    void fanOutFanIn_sumsDoubledItems(TestTaskHub hub) {
        String id = hub.start(FanOutFanIn.ORCHESTRATOR, 100);
        assertThat(complete(hub, id).readOutputAs(Long.class)).isEqualTo(2L * 100 * 101 / 2);
    }

    @Test
    void humanApproval_approvedByEvent(TestTaskHub hub, TaskHubClient client) {
        String id = hub.start(HumanApproval.ORCHESTRATOR, 60);
        client.raiseEvent(id, HumanApproval.EVENT, true);
        assertThat(complete(hub, id).readOutputAs(String.class)).isEqualTo("Approved");
        hub.assertThat(id).calledActivities(HumanApproval.REQUEST).receivedEvents(HumanApproval.EVENT).firedTimers(0);
    }

    @Test
    void humanApproval_escalatesAfterTimeout(TestTaskHub hub) {
        String id = hub.start(HumanApproval.ORCHESTRATOR, 1);
        assertThat(complete(hub, id).readOutputAs(String.class)).startsWith("Escalated");
    }

    @Test
    void humanApproval_escalatesAfterThirtyDays_inMilliseconds(TestTaskHub hub) {
        Instant start = hub.now();
        String id = hub.start(HumanApproval.ORCHESTRATOR, (int) Duration.ofDays(30).toSeconds());

        complete(hub, id);

        hub.assertThat(id).calledActivities(HumanApproval.REQUEST).createdTimers(1).firedTimers(1).receivedEvents()
                .completedWith("Escalated: no approval in time");
        assertThat(Duration.between(start, hub.now())).isGreaterThanOrEqualTo(Duration.ofDays(30));
    }

    @Test
    void humanApproval_approvedOnDay29_beforeTheThirtyDayTimeout(TestTaskHub hub) {
        hub.autoSkipTime(false);
        String id = hub.start(HumanApproval.ORCHESTRATOR, (int) Duration.ofDays(30).toSeconds());
        hub.advance(Duration.ofDays(29));
        hub.assertThat(id).hasStatus(RuntimeStatus.RUNNING).firedTimers(0);

        hub.client().raiseEvent(id, HumanApproval.EVENT, true);

        assertThat(complete(hub, id).readOutputAs(String.class)).isEqualTo("Approved");
    }

    @Test
    void counter_continuesAsNewUntilStopped(TestTaskHub hub, TaskHubClient client) {
        String id = hub.start(Counter.ORCHESTRATOR, 0);
        client.raiseEvent(id, Counter.EVENT, "add");
        client.raiseEvent(id, Counter.EVENT, "add");
        client.raiseEvent(id, Counter.EVENT, "add");
        client.raiseEvent(id, Counter.EVENT, "stop");
        assertThat(complete(hub, id).readOutputAs(Integer.class)).isEqualTo(3);
    }

    @Test
    void monitor_pollsUntilJobCompletes(TestTaskHub hub) {
        String id = hub.start(Monitor.ORCHESTRATOR, new Monitor.Request("job-1", 3, Duration.ofMinutes(1).toMillis()));
        assertThat(complete(hub, id).readOutputAs(String.class)).isEqualTo("Job job-1 completed after 3 checks");
        hub.assertThat(id).calledActivities(Monitor.CHECK, Monitor.CHECK, Monitor.CHECK).firedTimers(2);
    }

    @Test
    void monitor_expiresAfterFiveMinutes_whenTheJobNeverCompletes(TestTaskHub hub) {
        String id = hub.start(Monitor.ORCHESTRATOR, new Monitor.Request("job-2", Integer.MAX_VALUE, Duration.ofMinutes(1).toMillis()));
        assertThat(complete(hub, id).readOutputAs(String.class)).isEqualTo("Job job-2 did not complete before the monitor expired");
        hub.assertThat(id).calledActivities(Monitor.CHECK, Monitor.CHECK, Monitor.CHECK, Monitor.CHECK, Monitor.CHECK);
    }
}

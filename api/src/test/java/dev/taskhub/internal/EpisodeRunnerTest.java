package dev.taskhub.internal;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.NonDeterministicOrchestrationException;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.worker.TaskRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The replay engine on hand-built work items, without a provider. */
class EpisodeRunnerTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final List<Boolean> replayFlags = new ArrayList<>();
    private final TaskRegistry registry = new TaskRegistry()
            .addOrchestrator("TwoSteps", ctx -> {
                replayFlags.add(ctx.isReplaying());
                String a = ctx.callActivity("Step", "a", String.class).await();
                replayFlags.add(ctx.isReplaying());
                return a + ctx.callActivity("Step", "b", String.class).await();
            });
    private final EpisodeRunner runner = new EpisodeRunner(registry, Clock.fixed(T0, ZoneOffset.UTC), 10);

    private static InstanceState pending() {
        return new InstanceState("i1", "TwoSteps", null, "e1", RuntimeStatus.PENDING, null, null, null, null, T0, T0, null, null);
    }

    private static TaskMessage message(HistoryEvent event) {
        return new TaskMessage(UUID.randomUUID().toString(), "i1", "e1", event, null);
    }

    private static OrchestrationWorkItem item(InstanceState state, long version, TaskMessage... messages) {
        return new OrchestrationWorkItem("i1", "lock", T0.plusSeconds(30), state, List.of(messages), version, 1);
    }

    private static TaskMessage start() {
        return message(new HistoryEvent.ExecutionStarted(-1, T0, "TwoSteps", null, null, "e1", null, null));
    }

    @Test
    void firstEpisode_schedulesTheFirstActivity_andIsNotReplaying() {
        Checkpoint c = runner.run(item(pending(), 0, start()), List.of());
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(c.activityRequests()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("Step");
            assertThat(r.taskId()).isZero();
            assertThat(r.input()).isEqualTo("\"a\"");
        });
        assertThat(c.newEvents()).extracting(HistoryEvent::eventType)
                .containsExactly("OrchestratorStarted", "ExecutionStarted", "TaskScheduled", "OrchestratorCompleted");
        assertThat(replayFlags).containsExactly(false);
    }

    @Test
    void laterEpisode_replaysRecordedHistory_thenRunsLive() {
        Checkpoint first = runner.run(item(pending(), 0, start()), List.of());
        List<HistoryEvent> history = new ArrayList<>(first.newEvents());
        replayFlags.clear();
        TaskMessage done = message(new HistoryEvent.TaskCompleted(-1, T0, 0, "\"A\""));
        Checkpoint second = runner.run(item(first.state(), 1, done, done), history);
        assertThat(replayFlags).containsExactly(true, false);
        assertThat(second.newEvents()).filteredOn(HistoryEvent.TaskCompleted.class::isInstance).as("duplicate dropped").hasSize(1);
        assertThat(second.activityRequests()).singleElement().satisfies(r -> assertThat(r.taskId()).isEqualTo(1));
        history.addAll(second.newEvents());
        Checkpoint third = runner.run(item(second.state(), 2, message(new HistoryEvent.TaskCompleted(-1, T0, 1, "\"B\""))), history);
        assertThat(third.state().status()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(third.state().output()).isEqualTo("\"AB\"");
    }

    @Test
    void historyThatDoesNotMatchTheCode_failsWithBothSidesNamed() {
        List<HistoryEvent> history = List.of(
                new HistoryEvent.OrchestratorStarted(-1, T0),
                new HistoryEvent.ExecutionStarted(-1, T0, "TwoSteps", null, null, "e1", null, null),
                new HistoryEvent.TaskScheduled(0, T0, "SomethingElse", null),
                new HistoryEvent.OrchestratorCompleted(-1, T0));
        InstanceState running = pending().withStatus(RuntimeStatus.RUNNING, T0);
        Checkpoint c = runner.run(item(running, 1, message(new HistoryEvent.TaskCompleted(-1, T0, 0, "\"x\""))), history);
        assertThat(c.state().status()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(c.state().failureDetails().errorType()).isEqualTo(NonDeterministicOrchestrationException.class.getName());
        assertThat(c.state().failureDetails().message()).contains("'SomethingElse'").contains("'Step'");
    }

    @Test
    void messagesForAnotherExecution_areDropped() {
        Checkpoint first = runner.run(item(pending(), 0, start()), List.of());
        TaskMessage stale = new TaskMessage("m", "i1", "old-execution", new HistoryEvent.TaskCompleted(-1, T0, 0, "\"A\""), null);
        Checkpoint c = runner.run(item(first.state(), 1, stale), first.newEvents());
        assertThat(c.newEvents()).noneMatch(HistoryEvent.TaskCompleted.class::isInstance);
        assertThat(c.activityRequests()).isEmpty();
    }
}

package dev.taskhub.testing;

import dev.taskhub.client.http.WireFormat;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.orchestration.Task;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.replay.InstanceHistory;
import dev.taskhub.replay.NonDeterminism;
import dev.taskhub.replay.ReplayResult;
import dev.taskhub.replay.Replayer;
import dev.taskhub.worker.TaskRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A history recorded from version 1 of an orchestrator replays on version 1 and reports each change of version 2. */
class ReplayerTest {
    private static final Orchestrator<String> V1 = ctx -> {
        ctx.callActivity("Reserve", null, String.class).await();
        ctx.createTimer(Duration.ofDays(1)).await();
        ctx.callActivity("Charge", null, String.class).await();
        return ctx.callActivity("Ship", null, String.class).await();
    };
    private static final Orchestrator<String> V2_RENAMED = ctx -> {
        ctx.callActivity("Reserve", null, String.class).await();
        ctx.createTimer(Duration.ofDays(1)).await();
        ctx.callActivity("ChargeCard", null, String.class).await();
        return ctx.callActivity("Ship", null, String.class).await();
    };
    private static final Orchestrator<String> V2_ADDED_FIRST = ctx -> {
        ctx.callActivity("Validate", null, String.class).await();
        return V1.run(ctx);
    };
    private static final Orchestrator<String> V2_TIMER_REMOVED = ctx -> {
        ctx.callActivity("Reserve", null, String.class).await();
        ctx.callActivity("Charge", null, String.class).await();
        return ctx.callActivity("Ship", null, String.class).await();
    };
    /** Fans out to three activities that complete in reverse order, then waits for an event. */
    private static final Orchestrator<String> FAN_OUT = ctx -> {
        List<Task<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(ctx.callActivity("Slow", i, String.class));
        }
        ctx.allOf(tasks).await();
        return ctx.waitForExternalEvent("Go", String.class).await();
    };
    private static final Orchestrator<String> FAN_OUT_PLUS_ONE = ctx -> {
        List<Task<String>> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(ctx.callActivity("Slow", i, String.class));
        }
        ctx.allOf(tasks).await();
        ctx.callActivity("Audit", null, String.class);
        return ctx.waitForExternalEvent("Go", String.class).await();
    };

    private static List<HistoryEvent> order;
    private static List<HistoryEvent> fanOut;
    private static String orderId;

    @BeforeAll
    static void record() {
        try (TestTaskHub hub = TestTaskHub.builder().addOrchestrator("Order", V1).addOrchestrator("FanOut", FAN_OUT)
                .addActivity("Reserve", ctx -> "r").addActivity("Charge", ctx -> "c").addActivity("Ship", ctx -> "shipped")
                .addActivity("Slow", ctx -> {
                    Thread.sleep(10L * (3 - ctx.getInput(Integer.class)));
                    return "s" + ctx.getInput(Integer.class);
                }).build()) {
            orderId = hub.start("Order", null);
            hub.waitForCompletion(orderId);
            order = hub.history(orderId);
            String fan = hub.start("FanOut", null);
            hub.client().waitForInstanceStart(fan, Duration.ofSeconds(10));
            while (hub.history(fan).stream().filter(HistoryEvent.TaskCompleted.class::isInstance).count() < 3) {
                Thread.onSpinWait();
            }
            fanOut = hub.history(fan);
        }
    }

    private static TaskRegistry registry(String name, Orchestrator<?> orchestrator) {
        return new TaskRegistry().addOrchestrator(name, orchestrator);
    }

    private static int indexOf(List<HistoryEvent> history, Class<? extends HistoryEvent> type, int eventId) {
        for (int i = 0; i < history.size(); i++) {
            if (type.isInstance(history.get(i)) && history.get(i).eventId() == eventId) {
                return i;
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + "#" + eventId);
    }

    /** The history as {@code taskhub get-history --json} exports it. */
    private static InstanceHistory exported(List<HistoryEvent> history) {
        return InstanceHistory.parseJson(WireFormat.write(WireFormat.history(history, true)), "exported").get(0);
    }

    @Test
    void version1_replaysItsOwnHistory_fromTheSpiAndFromExportedJson() {
        assertThat(Replayer.replay(order, registry("Order", V1)).isDeterministic()).isTrue();
        assertThat(Replayer.of(registry("Order", V1)).replay(exported(order)).nonDeterminism()).isEmpty();
    }

    @Test
    void renamedActivity_isReportedAtItsCall() {
        NonDeterminism d = Replayer.replay(order, registry("Order", V2_RENAMED)).nonDeterminism().orElseThrow();

        assertThat(d.position()).isEqualTo(indexOf(order, HistoryEvent.TaskScheduled.class, 2));
        assertThat(d.recorded()).isEqualTo("a call of activity 'Charge' (#2)");
        assertThat(d.actual()).isEqualTo("calls activity 'ChargeCard' (#2)");
        assertThat(d.message()).contains("Instance '(history)', event " + d.position());
    }

    @Test
    void activityAddedBeforeTheOthers_isReportedAtTheFirstCall() {
        NonDeterminism d = Replayer.replay(order, registry("Order", V2_ADDED_FIRST)).nonDeterminism().orElseThrow();

        assertThat(d.position()).isEqualTo(indexOf(order, HistoryEvent.TaskScheduled.class, 0));
        assertThat(d.recorded()).isEqualTo("a call of activity 'Reserve' (#0)");
        assertThat(d.actual()).isEqualTo("calls activity 'Validate' (#0)");
    }

    @Test
    void removedTimer_isReportedWhereTheTimerWas() {
        NonDeterminism d = Replayer.replay(order, registry("Order", V2_TIMER_REMOVED)).nonDeterminism().orElseThrow();

        assertThat(d.position()).isEqualTo(indexOf(order, HistoryEvent.TimerCreated.class, 1));
        assertThat(d.recorded()).startsWith("a timer (#1");
        assertThat(d.actual()).isEqualTo("calls activity 'Charge' (#1)");
    }

    @Test
    void exportedJson_reportsThePositionInTheJsonArray() {
        InstanceHistory json = exported(order);
        var array = WireFormat.history(order, true);

        NonDeterminism d = Replayer.of(registry("Order", V2_RENAMED)).replay(json).nonDeterminism().orElseThrow();

        assertThat(array.get(d.position()).get("FunctionName").asText()).isEqualTo("Charge");   // folded into TaskCompleted
        assertThat(d.actual()).isEqualTo("calls activity 'ChargeCard' (#2)");
    }

    @Test
    void runningInstance_withCallsAnsweredOutOfOrder_replays_andAnAddedCallBeforeTheWaitIsReported() {
        assertThat(Replayer.replay(fanOut, registry("FanOut", FAN_OUT)).isDeterministic()).isTrue();
        assertThat(Replayer.of(registry("FanOut", FAN_OUT)).replay(exported(fanOut)).isDeterministic()).isTrue();

        NonDeterminism d = Replayer.replay(fanOut, registry("FanOut", FAN_OUT_PLUS_ONE)).nonDeterminism().orElseThrow();
        assertThat(d.position()).isEqualTo(fanOut.size());
        assertThat(d.recorded()).isEqualTo("no further call");
        assertThat(d.actual()).isEqualTo("calls activity 'Audit' (#3)");
    }

    @Test
    void replaysEveryInstanceOfAHub_throughTheSpi() {
        try (TestTaskHub hub = TestTaskHub.builder().addOrchestrator("Order", V1)
                .addActivity("Reserve", ctx -> "r").addActivity("Charge", ctx -> "c").addActivity("Ship", ctx -> "shipped").build()) {
            String a = hub.start("Order", null);
            String b = hub.start("Order", null);
            hub.waitForCompletion(a);
            hub.waitForCompletion(b);

            List<ReplayResult> same = Replayer.of(registry("Order", V1)).replay(hub.provider(), InstanceQuery.builder().pageSize(1).build());
            List<ReplayResult> changed = Replayer.of(registry("Order", V2_RENAMED)).replay(hub.provider(), InstanceQuery.builder().build());

            assertThat(same).extracting(ReplayResult::instanceId).containsExactlyInAnyOrder(a, b);
            assertThat(same).allMatch(ReplayResult::isDeterministic);
            assertThat(changed).extracting(r -> r.nonDeterminism().map(NonDeterminism::instanceId).orElse(null))
                    .containsExactlyInAnyOrder(a, b);
        }
    }

    @Test
    void unknownOrchestrator_isReported() {
        ReplayResult r = Replayer.replay(order, registry("Other", V1));
        assertThat(r.nonDeterminism()).isPresent();
        assertThat(r.nonDeterminism().get().actual()).contains("OrchestratorNotFound");
    }
}

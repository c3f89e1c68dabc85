package dev.taskhub.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.FailureDetails;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.InstanceState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireFormatTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void parseInstant_acceptsIsoForms_andNamesTheParameterWhenBad() {
        assertThat(WireFormat.parseInstant("2026-11-26T10:00:00Z", "x")).isEqualTo(T0);
        assertThat(WireFormat.parseInstant("2026-11-26T12:00:00+02:00", "x")).isEqualTo(T0);
        assertThat(WireFormat.parseInstant("2026-11-26T10:00:00", "x")).isEqualTo(T0);
        assertThat(WireFormat.parseInstant("2026-11-26", "x")).isEqualTo(Instant.parse("2026-11-26T00:00:00Z"));
        assertThat(WireFormat.parseInstant(null, "x")).isNull();
        assertThatThrownBy(() -> WireFormat.parseInstant("26/11/2026", "createdTimeFrom"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("createdTimeFrom").hasMessageContaining("26/11/2026");
    }

    @Test
    void parseStatuses_splitsCommasAndAcceptsBothNamings() {
        assertThat(WireFormat.parseStatuses(List.of("Running,pending", "CONTINUED_AS_NEW")))
                .isEqualTo(Set.of(RuntimeStatus.RUNNING, RuntimeStatus.PENDING, RuntimeStatus.CONTINUED_AS_NEW));
        assertThat(WireFormat.parseStatuses(null)).isEmpty();
        assertThatThrownBy(() -> WireFormat.parseStatuses(List.of("Done"))).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void status_ofFailedInstance_hasMessageAsOutput_andNoStackTrace() {
        InstanceState state = InstanceState.builder().instanceId("i1").name("Orch").executionId("e1")
                .status(RuntimeStatus.FAILED).input("{\"a\":1}").customStatus("\"cs\"")
                .failureDetails(new FailureDetails("java.lang.IllegalStateException", "boom", "at Somewhere"))
                .createdAt(T0).lastUpdatedAt(T0.plusSeconds(1)).build();
        JsonNode node = WireFormat.status(metadata(state, null), false);
        assertThat(node.get("runtimeStatus").asText()).isEqualTo("Failed");
        assertThat(node.get("output").asText()).isEqualTo("Orchestrator function 'Orch' failed: boom");
        assertThat(node.get("input").get("a").asInt()).isEqualTo(1);
        assertThat(node.get("customStatus").asText()).isEqualTo("cs");
        assertThat(node.get("createdTime").asText()).isEqualTo("2026-11-26T10:00:00Z");
        assertThat(node.toString()).doesNotContain("at Somewhere");
        assertThat(node.has("historyEvents")).isFalse();
    }

    @Test
    void history_foldsScheduledIntoOutcome_dropsEpisodeMarkers_andHidesResultsUnlessAsked() {
        List<HistoryEvent> events = List.of(
                new HistoryEvent.OrchestratorStarted(-1, T0),
                new HistoryEvent.ExecutionStarted(-1, T0, "Orch", null, "3", "e1", null, null),
                new HistoryEvent.TaskScheduled(0, T0, "Act", "3"),
                new HistoryEvent.TaskScheduled(1, T0, "Pending", null),
                new HistoryEvent.OrchestratorCompleted(-1, T0),
                new HistoryEvent.TaskCompleted(-1, T0.plusSeconds(2), 0, "\"done\""));
        JsonNode hidden = WireFormat.history(events, false);
        assertThat(hidden).extracting(n -> n.get("EventType").asText())
                .containsExactly("ExecutionStarted", "TaskScheduled", "TaskCompleted");
        JsonNode completed = hidden.get(2);
        assertThat(completed.get("FunctionName").asText()).isEqualTo("Act");
        assertThat(completed.get("ScheduledTime").asText()).isEqualTo("2026-11-26T10:00:00Z");
        assertThat(completed.get("Timestamp").asText()).isEqualTo("2026-11-26T10:00:02Z");
        assertThat(completed.has("Result")).isFalse();
        assertThat(hidden.get(0).get("Input").asInt()).isEqualTo(3);
        assertThat(WireFormat.history(events, true).get(2).get("Result").asText()).isEqualTo("done");
    }

    // ---- reading back: what is written, read and written again, is the same JSON -------------------------------

    /** A history with every event type, folded and unfolded pairs, an outcome without its scheduling, and text that is not JSON. */
    private static List<HistoryEvent> everyEventType() {
        FailureDetails boom = new FailureDetails("java.lang.IllegalStateException", "boom", "at Somewhere.run(Somewhere.java:1)");
        return List.of(
                new HistoryEvent.OrchestratorStarted(-1, T0),
                new HistoryEvent.ExecutionStarted(-1, T0, "Orch", "2.0", "{\"a\":[1,2.5,\"x\"]}", "e1",
                        new HistoryEvent.ParentInstance("parent-1", "pe", 4, "ParentOrch"), T0.minusSeconds(5)),
                new HistoryEvent.TaskScheduled(0, T0.plusMillis(1), "Act", "3"),
                new HistoryEvent.TaskScheduled(1, T0.plusMillis(2), "Flaky", null),
                new HistoryEvent.TaskScheduled(2, T0.plusMillis(3), "NeverAnswered", "1"),
                new HistoryEvent.SubOrchestrationInstanceCreated(3, T0.plusMillis(4), "Child", null, "child-1", "null"),
                new HistoryEvent.SubOrchestrationInstanceCreated(4, T0.plusMillis(5), "Child", "1", "child-2", null),
                new HistoryEvent.SubOrchestrationInstanceCreated(5, T0.plusMillis(6), "Child", null, "child-3", null),
                new HistoryEvent.TimerCreated(6, T0.plusMillis(7), T0.plusSeconds(60)),
                new HistoryEvent.EventSent(7, T0.plusMillis(8), "other-1", "Ping", "not json at all"),
                new HistoryEvent.OrchestratorCompleted(-1, T0.plusMillis(9)),
                new HistoryEvent.TaskCompleted(-1, T0.plusSeconds(1), 0, "\"done\""),
                new HistoryEvent.TaskFailed(-1, T0.plusSeconds(2), 1, boom),
                new HistoryEvent.SubOrchestrationInstanceCompleted(-1, T0.plusSeconds(3), 3, "{\"n\":1}"),
                new HistoryEvent.SubOrchestrationInstanceFailed(-1, T0.plusSeconds(4), 4, new FailureDetails("X", null, null)),
                new HistoryEvent.TaskCompleted(-1, T0.plusSeconds(5), 99, "null"),
                new HistoryEvent.TimerFired(-1, T0.plusSeconds(60), 6, T0.plusSeconds(60)),
                new HistoryEvent.EventRaised(-1, T0.plusSeconds(61), "Approval", "true", "m-1"),
                new HistoryEvent.ExecutionSuspended(-1, T0.plusSeconds(62), "pause"),
                new HistoryEvent.ExecutionResumed(-1, T0.plusSeconds(63), null),
                new HistoryEvent.ExecutionRewound(12, T0.plusSeconds(64), "again"),
                new HistoryEvent.ContinueAsNew(-1, T0.plusSeconds(65), "[1]"),
                new HistoryEvent.ExecutionTerminated(-1, T0.plusSeconds(66), "stop it", true),
                new HistoryEvent.ExecutionCompleted(-1, T0.plusSeconds(67), RuntimeStatus.FAILED, "1.5", boom));
    }

    @Test
    void readHistory_ofEveryEventType_writesTheSameJsonAgain_withAndWithoutOutput() {
        for (boolean showOutput : List.of(true, false)) {
            JsonNode written = WireFormat.history(everyEventType(), showOutput);
            List<HistoryEvent> read = WireFormat.readHistory(written);
            assertThat(WireFormat.write(WireFormat.history(read, showOutput))).as("showOutput=%s", showOutput)
                    .isEqualTo(WireFormat.write(written));
        }
    }

    @Test
    void readHistory_restoresTheTypedEvents_andLinksEachOutcomeToItsRestoredScheduling() {
        List<HistoryEvent> read = WireFormat.readHistory(WireFormat.history(everyEventType(), true));
        assertThat(read).noneMatch(e -> e instanceof HistoryEvent.OrchestratorStarted || e instanceof HistoryEvent.OrchestratorCompleted);
        HistoryEvent.ExecutionStarted started = (HistoryEvent.ExecutionStarted) read.get(0);
        assertThat(started.name()).isEqualTo("Orch");
        assertThat(started.version()).isEqualTo("2.0");
        assertThat(started.input()).isEqualTo("{\"a\":[1,2.5,\"x\"]}");
        assertThat(started.parent().instanceId()).isEqualTo("parent-1");
        assertThat(started.scheduledStartTime()).isEqualTo(T0.minusSeconds(5));

        HistoryEvent.TaskCompleted completed = read.stream().filter(e -> e instanceof HistoryEvent.TaskCompleted)
                .map(HistoryEvent.TaskCompleted.class::cast).findFirst().orElseThrow();
        assertThat(completed.result()).isEqualTo("\"done\"");
        HistoryEvent.TaskScheduled scheduled = read.stream().filter(e -> e instanceof HistoryEvent.TaskScheduled s
                && s.eventId() == completed.taskScheduledId()).map(HistoryEvent.TaskScheduled.class::cast).findFirst().orElseThrow();
        assertThat(scheduled.name()).isEqualTo("Act");
        assertThat(scheduled.timestamp()).isEqualTo(T0.plusMillis(1));

        HistoryEvent.TaskFailed failed = read.stream().filter(e -> e instanceof HistoryEvent.TaskFailed)
                .map(HistoryEvent.TaskFailed.class::cast).findFirst().orElseThrow();
        assertThat(failed.failureDetails()).isEqualTo(new FailureDetails("java.lang.IllegalStateException", "boom",
                "at Somewhere.run(Somewhere.java:1)"));
        assertThat(read).filteredOn(e -> e instanceof HistoryEvent.SubOrchestrationInstanceCreated).hasSize(3);
        assertThat(read).filteredOn(e -> e instanceof HistoryEvent.EventSent s && s.input().equals("\"not json at all\"")).hasSize(1);
        assertThat(read.get(read.size() - 1)).isEqualTo(new HistoryEvent.ExecutionCompleted(-1, T0.plusSeconds(67),
                RuntimeStatus.FAILED, "1.5", new FailureDetails("java.lang.IllegalStateException", "boom",
                "at Somewhere.run(Somewhere.java:1)")));
    }

    @Test
    void readStatus_writesTheSameStatusObjectAgain_andGivesBackWhatTheWireCarries() {
        FailureDetails boom = new FailureDetails("java.lang.IllegalStateException", "boom", "at Somewhere");
        List<InstanceState> states = List.of(
                InstanceState.builder().instanceId("f1").name("Orch").version("1").executionId("e1")
                        .status(RuntimeStatus.FAILED).input("{\"a\":1}").customStatus("\"cs\"").failureDetails(boom)
                        .createdAt(T0).lastUpdatedAt(T0.plusSeconds(1)).build(),
                InstanceState.builder().instanceId("f2").name("Orch").executionId("e2").status(RuntimeStatus.FAILED)
                        .output("\"own output\"").failureDetails(boom).createdAt(T0).lastUpdatedAt(T0.plusSeconds(1))
                        .parentInstanceId("parent").build(),
                InstanceState.builder().instanceId("c1").name("Orch").executionId("e3").status(RuntimeStatus.COMPLETED)
                        .input("[1,2]").output("{\"sum\":3}").customStatus("not json").createdAt(T0)
                        .lastUpdatedAt(T0.plusNanos(123_456_789)).scheduledStartAt(T0.plusSeconds(9)).build(),
                InstanceState.builder().instanceId("t1").name("Orch").executionId("e4").status(RuntimeStatus.TERMINATED)
                        .output("\"reason\"").createdAt(T0).lastUpdatedAt(T0).build(),
                InstanceState.builder().instanceId("r1").name("Orch").executionId("e5").status(RuntimeStatus.RUNNING)
                        .createdAt(T0).lastUpdatedAt(T0).build());
        for (InstanceState state : states) {
            for (List<HistoryEvent> history : java.util.Arrays.asList(null, everyEventType())) {
                JsonNode written = WireFormat.status(metadata(state, history), true);
                OrchestrationMetadata read = WireFormat.readStatus(written);
                assertThat(WireFormat.write(WireFormat.status(read, true))).as(state.instanceId()).isEqualTo(WireFormat.write(written));
                assertThat(read.instanceId()).isEqualTo(state.instanceId());
                assertThat(read.runtimeStatus()).isEqualTo(state.status());
                assertThat(read.serializedOutput()).as("output of %s", state.instanceId()).isEqualTo(state.output());
                assertThat(read.createdAt()).isEqualTo(state.createdAt());
                assertThat(read.lastUpdatedAt()).isEqualTo(state.lastUpdatedAt());
                assertThat(read.historyEvents().isPresent()).isEqualTo(history != null);
            }
        }
        OrchestrationMetadata failed = WireFormat.readStatus(WireFormat.status(metadata(states.get(0), null), false));
        assertThat(failed.failureDetails()).contains(new FailureDetails("java.lang.IllegalStateException", "boom", ""));
        assertThat(failed.serializedInput()).isEqualTo("{\"a\":1}");
        assertThat(failed.serializedCustomStatus()).isEqualTo("\"cs\"");
        assertThat(WireFormat.readStatuses(WireFormat.statuses(List.of(failed, failed)))).hasSize(2);
    }

    @Test
    void payloadPurgeResultAndError_readBack() {
        HttpManagementPayload payload = new HttpManagementPayload("i1", "s", "e", "t", "r", "p", "re", "su", "res");
        assertThat(WireFormat.readPayload(WireFormat.payload(payload))).isEqualTo(payload);
        assertThat(WireFormat.readPurgeResult(WireFormat.purgeResult(7))).isEqualTo(7);
        assertThat(WireFormat.readError(WireFormat.error("No such instance."))).contains("No such instance.");
        assertThat(WireFormat.readError(WireFormat.read("[1]").orElseThrow())).isEmpty();
        assertThat(WireFormat.read("not json")).isEmpty();
        assertThat(WireFormat.read("")).isEmpty();
        QueryResult page = new QueryResult(List.of(), "tok");
        assertThat(WireFormat.write(WireFormat.page(page))).isEqualTo("{\"instances\":[],\"continuationToken\":\"tok\"}");
        assertThat(WireFormat.formatStatuses(Set.of(RuntimeStatus.RUNNING, RuntimeStatus.PENDING))).isEqualTo("Pending,Running");
    }

    @Test
    void readingSomethingElse_isAClearError() {
        assertThatThrownBy(() -> WireFormat.readStatus(WireFormat.read("[]").orElseThrow()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("status object");
        assertThatThrownBy(() -> WireFormat.readStatus(WireFormat.read("{\"name\":\"x\"}").orElseThrow()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("instanceId");
        assertThatThrownBy(() -> WireFormat.readHistory(WireFormat.read("[{\"EventType\":\"Teleported\"}]").orElseThrow()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Teleported");
        assertThatThrownBy(() -> WireFormat.readPurgeResult(WireFormat.read("{}").orElseThrow()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("instancesDeleted");
    }

    private static OrchestrationMetadata metadata(InstanceState s, List<HistoryEvent> history) {
        return OrchestrationMetadata.builder().instanceId(s.instanceId()).name(s.name()).version(s.version())
                .executionId(s.executionId()).runtimeStatus(s.status()).serializedInput(s.input()).serializedOutput(s.output())
                .serializedCustomStatus(s.customStatus()).failureDetails(s.failureDetails()).createdAt(s.createdAt())
                .lastUpdatedAt(s.lastUpdatedAt()).scheduledStartAt(s.scheduledStartAt()).parentInstanceId(s.parentInstanceId())
                .historyEvents(history).build();
    }
}

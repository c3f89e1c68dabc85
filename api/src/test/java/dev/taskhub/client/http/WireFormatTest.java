package dev.taskhub.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.FailureDetails;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
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
        InstanceState state = new InstanceState("i1", "Orch", null, "e1", RuntimeStatus.FAILED, "{\"a\":1}", null, "\"cs\"",
                new FailureDetails("java.lang.IllegalStateException", "boom", "at Somewhere"), T0, T0.plusSeconds(1), null, null);
        JsonNode node = WireFormat.status(new OrchestrationMetadata(state, null), false);
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
}

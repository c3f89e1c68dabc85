package dev.taskhub.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.JsonDataConverter;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryEventJsonTest {
    @Test
    void everyEventType_roundTripsThroughJson() throws Exception {
        Instant t = Instant.parse("2026-11-26T10:00:00.5Z");
        FailureDetails f = new FailureDetails("java.lang.IllegalStateException", "boom", "trace");
        List<HistoryEvent> events = List.of(
                new HistoryEvent.ExecutionStarted(-1, t, "Name", "1", "\"in\"", "exec", new HistoryEvent.ParentInstance("p", "pe", 3, "P"), t),
                new HistoryEvent.ExecutionCompleted(-1, t, RuntimeStatus.FAILED, null, f),
                new HistoryEvent.ExecutionTerminated(-1, t, "why", true),
                new HistoryEvent.ExecutionSuspended(-1, t, "s"),
                new HistoryEvent.ExecutionResumed(-1, t, "r"),
                new HistoryEvent.ExecutionRewound(-1, t, "rw"),
                new HistoryEvent.ExecutionRewound(4, t, "rw", "request-1"),
                new HistoryEvent.ContinueAsNew(-1, t, "2"),
                new HistoryEvent.OrchestratorStarted(-1, t),
                new HistoryEvent.OrchestratorCompleted(-1, t),
                new HistoryEvent.TaskScheduled(0, t, "A", "[1,2]"),
                new HistoryEvent.TaskCompleted(-1, t, 0, "{\"a\":1}"),
                new HistoryEvent.TaskFailed(-1, t, 0, f),
                new HistoryEvent.TimerCreated(1, t, t),
                new HistoryEvent.TimerFired(-1, t, 1, t),
                new HistoryEvent.EventRaised(-1, t, "E", "true", "m1"),
                new HistoryEvent.EventSent(2, t, "other", "E", null),
                new HistoryEvent.SubOrchestrationInstanceCreated(3, t, "Child", null, "child", "null"),
                new HistoryEvent.SubOrchestrationInstanceCompleted(-1, t, 3, "\"ok\""),
                new HistoryEvent.SubOrchestrationInstanceFailed(-1, t, 3, f));
        ObjectMapper mapper = JsonDataConverter.DEFAULT.mapper();
        for (HistoryEvent event : events) {
            String json = mapper.writeValueAsString(event);
            assertThat(json).contains("\"EventType\":\"" + event.eventType() + "\"");
            assertThat(mapper.readValue(json, HistoryEvent.class)).isEqualTo(event);
        }
    }

    @Test
    void aRewindStoredBeforeRequestIdsWereRecorded_readsWithoutOne() throws Exception {
        ObjectMapper mapper = JsonDataConverter.DEFAULT.mapper();
        com.fasterxml.jackson.databind.node.ObjectNode stored = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(
                dev.taskhub.convert.HistoryCodec.encode(new HistoryEvent.ExecutionRewound(3, Instant.parse("2026-11-26T10:00:00Z"), "rw", "r1")));
        List<String> idFields = new java.util.ArrayList<>();
        stored.fieldNames().forEachRemaining(f -> {
            if (f.equalsIgnoreCase("requestId")) {
                idFields.add(f);
            }
        });
        assertThat(idFields).hasSize(1);
        stored.remove(idFields);

        HistoryEvent.ExecutionRewound read = (HistoryEvent.ExecutionRewound) dev.taskhub.convert.HistoryCodec.decode(stored.toString());

        assertThat(read).isEqualTo(new HistoryEvent.ExecutionRewound(3, Instant.parse("2026-11-26T10:00:00Z"), "rw", null));
    }
}

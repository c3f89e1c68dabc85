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

    @Test
    void eventsThatStartWork_carryTheirTraceContext_andWriteNothingWithoutOne() throws Exception {
        Instant t = Instant.parse("2026-11-26T10:00:00Z");
        TraceContext trace = new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=x");
        List<HistoryEvent> traced = List.of(
                new HistoryEvent.ExecutionStarted(-1, t, "Name", null, null, "exec", null, null, trace),
                new HistoryEvent.TaskScheduled(0, t, "A", null, trace),
                new HistoryEvent.SubOrchestrationInstanceCreated(1, t, "Child", null, "child", null, trace),
                new HistoryEvent.EventSent(2, t, "other", "E", null, trace));
        for (HistoryEvent event : traced) {
            String json = dev.taskhub.convert.HistoryCodec.encode(event);
            assertThat(json).contains("\"traceParent\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"")
                    .contains("\"traceState\":\"vendor=x\"");
            assertThat(dev.taskhub.convert.HistoryCodec.decode(json)).isEqualTo(event);
        }
        assertThat(dev.taskhub.convert.HistoryCodec.encode(new HistoryEvent.TaskScheduled(0, t, "A", null)))
                .doesNotContain("trace");
    }

    @Test
    void eventsStoredBeforeTraceContexts_readWithoutOne() {
        // the exact JSON the previous version wrote (no traceContext field)
        String started = "{\"EventType\":\"ExecutionStarted\",\"eventId\":-1,\"timestamp\":\"2026-11-26T10:00:00Z\","
                + "\"name\":\"Hello\",\"version\":null,\"input\":\"1\",\"executionId\":\"e1\",\"parent\":null,"
                + "\"scheduledStartTime\":null}";
        String scheduled = "{\"EventType\":\"TaskScheduled\",\"eventId\":0,\"timestamp\":\"2026-11-26T10:00:00Z\","
                + "\"name\":\"A\",\"input\":null}";

        assertThat(dev.taskhub.convert.HistoryCodec.decode(started)).isEqualTo(new HistoryEvent.ExecutionStarted(-1,
                Instant.parse("2026-11-26T10:00:00Z"), "Hello", null, "1", "e1", null, null));
        assertThat(((HistoryEvent.TaskScheduled) dev.taskhub.convert.HistoryCodec.decode(scheduled)).traceContext()).isNull();
    }

    @Test
    void traceContext_parsesW3cHeaders_andIgnoresMalformedOnes() {
        TraceContext t = TraceContext.parse(" 00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01 ", "");
        assertThat(t.traceParent()).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(t.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(t.spanId()).isEqualTo("b7ad6b7169203331");
        assertThat(t.sampled()).isTrue();
        assertThat(t.traceState()).isNull();
        assertThat(TraceContext.parse("garbage", null)).isNull();
        assertThat(TraceContext.parse(null, null)).isNull();
        assertThat(TraceContext.parse("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", null)).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TraceContext("nope", null))
                .isInstanceOf(dev.taskhub.InvalidRequestException.class).hasMessageContaining("W3C");
    }
}

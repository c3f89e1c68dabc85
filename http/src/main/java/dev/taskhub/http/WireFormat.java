package dev.taskhub.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.FailureDetails;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.history.HistoryEvent;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON wire format of Durable Functions' management API, shared by the HTTP server and the {@code taskhub}
 * command line's {@code --json} output: status objects, history events, management payloads, purge results and
 * errors. Also parses the ISO 8601 dates and runtime statuses both accept. Stateless and thread-safe.
 */
public final class WireFormat {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private WireFormat() {}

    /**
     * The status object of an instance: {@code name}, {@code instanceId}, {@code runtimeStatus}, {@code input},
     * {@code customStatus}, {@code output}, {@code createdTime}, {@code lastUpdatedTime}, and {@code historyEvents}
     * when the metadata carries history. Payloads are embedded as JSON values. A failed instance's {@code output} is
     * its failure message and {@code failureDetails} holds the error type and message (no stack trace).
     */
    public static ObjectNode status(OrchestrationMetadata metadata, boolean showHistoryOutput) {
        ObjectNode node = NODES.objectNode();
        node.put("name", metadata.name());
        node.put("instanceId", metadata.instanceId());
        node.put("runtimeStatus", metadata.runtimeStatus().wireName());
        node.set("input", value(metadata.serializedInput()));
        node.set("customStatus", value(metadata.serializedCustomStatus()));
        FailureDetails failure = metadata.failureDetails().orElse(null);
        if (metadata.runtimeStatus() == RuntimeStatus.FAILED && failure != null && metadata.serializedOutput() == null) {
            node.put("output", "Orchestrator function '" + metadata.name() + "' failed: " + failure.message());
        } else {
            node.set("output", value(metadata.serializedOutput()));
        }
        if (failure != null) {
            node.set("failureDetails", failure(failure, false));
        }
        node.put("createdTime", time(metadata.createdAt()));
        node.put("lastUpdatedTime", time(metadata.lastUpdatedAt()));
        metadata.historyEvents().ifPresent(history -> node.set("historyEvents", history(history, showHistoryOutput)));
        return node;
    }

    /**
     * History events as Durable Functions shows them: {@code EventType} and {@code Timestamp} plus PascalCase fields.
     * As in Durable Functions, {@code OrchestratorStarted}/{@code OrchestratorCompleted} are left out and a
     * {@code TaskScheduled} (or {@code SubOrchestrationInstanceCreated}) that has an outcome is folded into it as
     * {@code FunctionName} and {@code ScheduledTime}. Results only with {@code showHistoryOutput}.
     */
    public static ArrayNode history(List<HistoryEvent> events, boolean showHistoryOutput) {
        Map<Integer, HistoryEvent> scheduled = new HashMap<>();
        Set<Integer> answered = new java.util.HashSet<>();
        for (HistoryEvent e : events) {
            if (e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.SubOrchestrationInstanceCreated) {
                scheduled.put(e.eventId(), e);
            }
            Integer answers = answeredId(e);
            if (answers != null) {
                answered.add(answers);
            }
        }
        ArrayNode array = NODES.arrayNode();
        for (HistoryEvent e : events) {
            if (e instanceof HistoryEvent.OrchestratorStarted || e instanceof HistoryEvent.OrchestratorCompleted) {
                continue;
            }
            if ((e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.SubOrchestrationInstanceCreated)
                    && answered.contains(e.eventId())) {
                continue;
            }
            array.add(historyEvent(e, scheduled, showHistoryOutput));
        }
        return array;
    }

    private static Integer answeredId(HistoryEvent e) {
        if (e instanceof HistoryEvent.TaskCompleted c) return c.taskScheduledId();
        if (e instanceof HistoryEvent.TaskFailed f) return f.taskScheduledId();
        if (e instanceof HistoryEvent.SubOrchestrationInstanceCompleted c) return c.taskScheduledId();
        if (e instanceof HistoryEvent.SubOrchestrationInstanceFailed f) return f.taskScheduledId();
        return null;
    }

    private static ObjectNode historyEvent(HistoryEvent e, Map<Integer, HistoryEvent> scheduled, boolean showOutput) {
        ObjectNode n = NODES.objectNode();
        n.put("EventType", e.eventType());
        if (e instanceof HistoryEvent.ExecutionStarted s) {
            n.put("FunctionName", s.name());
            if (s.version() != null) n.put("Version", s.version());
            n.set("Input", value(s.input()));
            if (s.parent() != null) n.put("ParentInstanceId", s.parent().instanceId());
            if (s.scheduledStartTime() != null) n.put("ScheduledStartTime", time(s.scheduledStartTime()));
        } else if (e instanceof HistoryEvent.ExecutionCompleted c) {
            n.put("OrchestrationStatus", c.status().wireName());
            if (showOutput) n.set("Result", value(c.result()));
            if (c.failureDetails() != null) n.set("FailureDetails", failure(c.failureDetails(), showOutput));
        } else if (e instanceof HistoryEvent.ExecutionTerminated t) {
            n.put("Input", t.reason());
        } else if (e instanceof HistoryEvent.ExecutionSuspended s) {
            n.put("Reason", s.reason());
        } else if (e instanceof HistoryEvent.ExecutionResumed r) {
            n.put("Reason", r.reason());
        } else if (e instanceof HistoryEvent.ExecutionRewound r) {
            n.put("Reason", r.reason());
        } else if (e instanceof HistoryEvent.ContinueAsNew c) {
            n.set("Input", value(c.input()));
        } else if (e instanceof HistoryEvent.TaskScheduled s) {
            n.put("FunctionName", s.name());
            n.put("ScheduledTime", time(s.timestamp()));
        } else if (e instanceof HistoryEvent.TaskCompleted c) {
            scheduledFields(n, scheduled.get(c.taskScheduledId()));
            if (showOutput) n.set("Result", value(c.result()));
        } else if (e instanceof HistoryEvent.TaskFailed f) {
            scheduledFields(n, scheduled.get(f.taskScheduledId()));
            n.put("Reason", f.failureDetails().message());
            n.set("FailureDetails", failure(f.failureDetails(), showOutput));
        } else if (e instanceof HistoryEvent.TimerCreated t) {
            n.put("FireAt", time(t.fireAt()));
        } else if (e instanceof HistoryEvent.TimerFired t) {
            n.put("TimerId", t.timerId());
            n.put("FireAt", time(t.fireAt()));
        } else if (e instanceof HistoryEvent.EventRaised r) {
            n.put("Name", r.name());
            n.set("Input", value(r.input()));
        } else if (e instanceof HistoryEvent.EventSent s) {
            n.put("InstanceId", s.instanceId());
            n.put("Name", s.name());
            n.set("Input", value(s.input()));
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated s) {
            n.put("FunctionName", s.name());
            n.put("InstanceId", s.instanceId());
            n.put("ScheduledTime", time(s.timestamp()));
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCompleted c) {
            scheduledFields(n, scheduled.get(c.taskScheduledId()));
            if (showOutput) n.set("Result", value(c.result()));
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceFailed f) {
            scheduledFields(n, scheduled.get(f.taskScheduledId()));
            n.put("Reason", f.failureDetails().message());
            n.set("FailureDetails", failure(f.failureDetails(), showOutput));
        }
        n.put("Timestamp", time(e.timestamp()));
        return n;
    }

    private static void scheduledFields(ObjectNode n, HistoryEvent scheduledEvent) {
        if (scheduledEvent instanceof HistoryEvent.TaskScheduled s) {
            n.put("FunctionName", s.name());
            n.put("ScheduledTime", time(s.timestamp()));
        } else if (scheduledEvent instanceof HistoryEvent.SubOrchestrationInstanceCreated s) {
            n.put("FunctionName", s.name());
            n.put("InstanceId", s.instanceId());
            n.put("ScheduledTime", time(s.timestamp()));
        }
    }

    private static ObjectNode failure(FailureDetails failure, boolean withStackTrace) {
        ObjectNode n = NODES.objectNode();
        n.put("errorType", failure.errorType());
        n.put("message", failure.message());
        if (withStackTrace && !failure.stackTrace().isEmpty()) {
            n.put("stackTrace", failure.stackTrace());
        }
        return n;
    }

    /** The management payload: {@code id}, {@code statusQueryGetUri}, {@code sendEventPostUri}, … */
    public static ObjectNode payload(HttpManagementPayload p) {
        ObjectNode n = NODES.objectNode();
        n.put("id", p.id());
        n.put("statusQueryGetUri", p.statusQueryGetUri());
        n.put("sendEventPostUri", p.sendEventPostUri());
        n.put("terminatePostUri", p.terminatePostUri());
        n.put("rewindPostUri", p.rewindPostUri());
        n.put("purgeHistoryDeleteUri", p.purgeHistoryDeleteUri());
        n.put("restartPostUri", p.restartPostUri());
        n.put("suspendPostUri", p.suspendPostUri());
        n.put("resumePostUri", p.resumePostUri());
        return n;
    }

    /** {@code {"instancesDeleted": n}}. */
    public static ObjectNode purgeResult(long instancesDeleted) {
        return NODES.objectNode().put("instancesDeleted", instancesDeleted);
    }

    /** {@code {"message": "..."}}. */
    public static ObjectNode error(String message) {
        return NODES.objectNode().put("message", message);
    }

    /** A stored JSON payload as a JSON value; null for none; text that is not JSON as a string. */
    public static JsonNode value(String json) {
        if (json == null) {
            return NODES.nullNode();
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return NODES.textNode(json);
        }
    }

    /** ISO 8601 UTC, e.g. {@code 2026-11-26T10:00:00.123Z}. */
    public static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** Compact JSON text. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Indented JSON text, for people. */
    public static String writePretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses an ISO 8601 date-time ({@code 2026-11-26T10:00:00Z}, with an offset, without a zone meaning UTC, or a
     * date alone meaning midnight UTC). Throws {@link InvalidRequestException} naming {@code what}.
     */
    public static Instant parseInstant(String text, String what) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        try {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // try a date alone
        }
        try {
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(what + ": '" + text + "' is not an ISO 8601 date-time. Use e.g. "
                    + "2026-11-26T10:00:00Z or 2026-11-26.");
        }
    }

    /**
     * Parses runtime statuses from one or more values, each possibly comma-separated ({@code Running,Pending});
     * wire names or enum names, case-insensitive. Empty for none.
     */
    public static Set<RuntimeStatus> parseStatuses(List<String> values) {
        List<RuntimeStatus> statuses = new ArrayList<>();
        if (values != null) {
            for (String value : values) {
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        statuses.add(RuntimeStatus.parse(part));
                    }
                }
            }
        }
        return statuses.isEmpty() ? Set.of() : EnumSet.copyOf(statuses);
    }
}

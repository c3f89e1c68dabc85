package dev.taskhub.client.http;

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
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.Ages;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.RetentionReport;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.HubHealth;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.history.HistoryEvent;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.taskhub.client.http.WireFields.instant;
import static dev.taskhub.client.http.WireFields.json;
import static dev.taskhub.client.http.WireFields.malformed;
import static dev.taskhub.client.http.WireFields.requireObject;
import static dev.taskhub.client.http.WireFields.text;

/**
 * The JSON wire format of Durable Functions' management API, in both directions: the HTTP server writes status
 * objects, history events, management payloads, purge results and errors with it, and the {@code taskhub} command
 * line prints them with {@code --json}; the command line's {@code --url} mode reads the server's answers back into the
 * typed results a {@link dev.taskhub.client.TaskHubClient} returns. Also parses the ISO 8601 dates and runtime
 * statuses both accept. Stateless and thread-safe.
 *
 * <p>Reading gives what the wire carries: a status object read back has no version, execution id, scheduled start or
 * parent; history events read back have event id -1, except that a {@code TaskScheduled} (or
 * {@code SubOrchestrationInstanceCreated}) folded into its outcome is restored with an id that links the two. Writing
 * what was read, with the same {@code showHistoryOutput}, gives the same JSON.
 */
public final class WireFormat {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private WireFormat() {}

    // ---- status object -------------------------------------------------------------------------------------------

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
        node.set("output", output(metadata));
        metadata.failureDetails().ifPresent(failure -> node.set("failureDetails", failure(failure, false)));
        node.put("createdTime", time(metadata.createdAt()));
        node.put("lastUpdatedTime", time(metadata.lastUpdatedAt()));
        metadata.historyEvents().ifPresent(history -> node.set("historyEvents", history(history, showHistoryOutput)));
        return node;
    }

    /**
     * The status object's {@code output}: the output as a JSON value, or for a failed instance without one
     * {@code "Orchestrator function '<name>' failed: <message>"}.
     */
    public static JsonNode output(OrchestrationMetadata metadata) {
        FailureDetails failure = metadata.failureDetails().orElse(null);
        if (metadata.runtimeStatus() == RuntimeStatus.FAILED && failure != null && metadata.serializedOutput() == null) {
            return NODES.textNode(failureOutput(metadata.name(), failure));
        }
        return value(metadata.serializedOutput());
    }

    /** Status objects as the list route answers them (inputs and outputs as the metadata holds them). */
    public static ArrayNode statuses(List<OrchestrationMetadata> instances) {
        ArrayNode array = NODES.arrayNode();
        instances.forEach(m -> array.add(status(m, false)));
        return array;
    }

    /**
     * A page as the command line prints it with {@code --json}: {@code {"instances": [status objects],
     * "continuationToken": token or null}} (over HTTP the token travels in
     * {@link ManagementRoute#CONTINUATION_TOKEN_HEADER}).
     */
    public static ObjectNode page(QueryResult page) {
        ObjectNode node = NODES.objectNode();
        node.set("instances", statuses(page.instances()));
        node.put("continuationToken", page.continuationToken());
        return node;
    }

    /** Reads a status object (as {@link #status} writes it) back into metadata; history only when it has some. */
    public static OrchestrationMetadata readStatus(JsonNode node) {
        requireObject(node, "a status object");
        String name = text(node, "name");
        String instanceId = text(node, "instanceId");
        if (name == null || instanceId == null || !node.hasNonNull("runtimeStatus")) {
            throw malformed("a status object", "it lacks 'name', 'instanceId' or 'runtimeStatus'");
        }
        RuntimeStatus status = RuntimeStatus.parse(node.get("runtimeStatus").asText());
        FailureDetails failure = node.hasNonNull("failureDetails") ? readFailure(node.get("failureDetails")) : null;
        JsonNode outputNode = node.get("output");
        String output = json(outputNode);
        if (status == RuntimeStatus.FAILED && failure != null && outputNode != null && outputNode.isTextual()
                && outputNode.asText().equals(failureOutput(name, failure))) {
            output = null; // written for a failed instance that has no output of its own
        }
        Instant created = instant(node, "createdTime");
        Instant updated = instant(node, "lastUpdatedTime");
        if (created == null || updated == null) {
            throw malformed("a status object", "it lacks 'createdTime' or 'lastUpdatedTime'");
        }
        List<HistoryEvent> history = node.has("historyEvents") ? readHistory(node.get("historyEvents")) : null;
        return OrchestrationMetadata.builder().instanceId(instanceId).name(name).runtimeStatus(status)
                .serializedInput(json(node.get("input"))).serializedOutput(output)
                .serializedCustomStatus(json(node.get("customStatus"))).failureDetails(failure).createdAt(created)
                .lastUpdatedAt(updated).historyEvents(history).build();
    }

    /** Reads an array of status objects (the list route's answer). */
    public static List<OrchestrationMetadata> readStatuses(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw malformed("a list of status objects", "it is not a JSON array");
        }
        List<OrchestrationMetadata> result = new ArrayList<>();
        array.forEach(n -> result.add(readStatus(n)));
        return result;
    }

    private static String failureOutput(String name, FailureDetails failure) {
        return "Orchestrator function '" + name + "' failed: " + failure.message();
    }

    // ---- history -------------------------------------------------------------------------------------------------

    /**
     * History events as Durable Functions shows them: {@code EventType} and {@code Timestamp} plus PascalCase fields.
     * As in Durable Functions, {@code OrchestratorStarted}/{@code OrchestratorCompleted} are left out and a
     * {@code TaskScheduled} (or {@code SubOrchestrationInstanceCreated}) that has an outcome is folded into it as
     * {@code FunctionName} and {@code ScheduledTime}. Results only with {@code showHistoryOutput}.
     */
    public static ArrayNode history(List<HistoryEvent> events, boolean showHistoryOutput) {
        Map<Integer, HistoryEvent> scheduled = new HashMap<>();
        Set<Integer> answered = new HashSet<>();
        for (HistoryEvent e : events) {
            if (e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.SubOrchestrationInstanceCreated) {
                scheduled.put(e.eventId(), e);
            }
            Integer answers = HistoryEvent.answeredCallId(e);
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
        // Not in Durable Functions' output: the call's sequence number, which a replay of the history needs
        Integer link = HistoryEvent.answeredCallId(e);
        if (link != null && link >= 0) {
            n.put("TaskScheduledId", link);
        } else if (e.eventId() >= 0 && isCall(e)) {
            n.put("EventId", e.eventId());
        }
        n.put("Timestamp", time(e.timestamp()));
        return n;
    }

    private static boolean isCall(HistoryEvent e) {
        return e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.TimerCreated
                || e instanceof HistoryEvent.SubOrchestrationInstanceCreated || e instanceof HistoryEvent.EventSent;
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

    /**
     * Reads history events (as {@link #history} writes them) back. An outcome that carries {@code FunctionName} gets
     * its folded {@code TaskScheduled} (with {@code InstanceId}: {@code SubOrchestrationInstanceCreated}) restored
     * just before it, without input; event ids are not on the wire, so they are -1 except the ids linking such pairs.
     */
    public static List<HistoryEvent> readHistory(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw malformed("a list of history events", "it is not a JSON array");
        }
        List<HistoryEvent> events = new ArrayList<>();
        int nextId = 0;
        for (JsonNode n : array) {
            requireObject(n, "a history event");
            String type = text(n, "EventType");
            Instant ts = instant(n, "Timestamp");
            // an outcome linked to its restored scheduling event; -1 links to nothing
            int link = -1;
            int eventId = n.path("EventId").canConvertToInt() ? n.get("EventId").asInt() : -1;
            if (isOutcome(type) && n.path("TaskScheduledId").canConvertToInt()) {
                link = n.get("TaskScheduledId").asInt();
            }
            if (n.has("FunctionName") && isOutcome(type)) {
                link = link >= 0 ? link : nextId++;
                Instant scheduledAt = instant(n, "ScheduledTime");
                events.add(n.has("InstanceId")
                        ? new HistoryEvent.SubOrchestrationInstanceCreated(link, scheduledAt, text(n, "FunctionName"), null,
                                text(n, "InstanceId"), null)
                        : new HistoryEvent.TaskScheduled(link, scheduledAt, text(n, "FunctionName"), null));
            }
            events.add(switch (type == null ? "" : type) {
                case "ExecutionStarted" -> new HistoryEvent.ExecutionStarted(-1, ts, text(n, "FunctionName"), text(n, "Version"),
                        json(n.get("Input")), null,
                        n.has("ParentInstanceId") ? new HistoryEvent.ParentInstance(text(n, "ParentInstanceId"), null, -1, null) : null,
                        instant(n, "ScheduledStartTime"));
                case "ExecutionCompleted" -> new HistoryEvent.ExecutionCompleted(-1, ts,
                        RuntimeStatus.parse(n.path("OrchestrationStatus").asText()), json(n.get("Result")),
                        n.hasNonNull("FailureDetails") ? readFailure(n.get("FailureDetails")) : null);
                case "ExecutionTerminated" -> new HistoryEvent.ExecutionTerminated(-1, ts, text(n, "Input"), false);
                case "ExecutionSuspended" -> new HistoryEvent.ExecutionSuspended(-1, ts, text(n, "Reason"));
                case "ExecutionResumed" -> new HistoryEvent.ExecutionResumed(-1, ts, text(n, "Reason"));
                case "ExecutionRewound" -> new HistoryEvent.ExecutionRewound(-1, ts, text(n, "Reason"));
                case "ContinueAsNew" -> new HistoryEvent.ContinueAsNew(-1, ts, json(n.get("Input")));
                case "OrchestratorStarted" -> new HistoryEvent.OrchestratorStarted(-1, ts);
                case "OrchestratorCompleted" -> new HistoryEvent.OrchestratorCompleted(-1, ts);
                case "TaskScheduled" -> new HistoryEvent.TaskScheduled(eventId >= 0 ? eventId : nextId++, ts, text(n, "FunctionName"), null);
                case "TaskCompleted" -> new HistoryEvent.TaskCompleted(-1, ts, link, json(n.get("Result")));
                case "TaskFailed" -> new HistoryEvent.TaskFailed(-1, ts, link, readFailure(n.get("FailureDetails")));
                case "TimerCreated" -> new HistoryEvent.TimerCreated(eventId, ts, instant(n, "FireAt"));
                case "TimerFired" -> new HistoryEvent.TimerFired(-1, ts, n.path("TimerId").asInt(), instant(n, "FireAt"));
                case "EventRaised" -> new HistoryEvent.EventRaised(-1, ts, text(n, "Name"), json(n.get("Input")), null);
                case "EventSent" -> new HistoryEvent.EventSent(eventId, ts, text(n, "InstanceId"), text(n, "Name"), json(n.get("Input")));
                case "SubOrchestrationInstanceCreated" -> new HistoryEvent.SubOrchestrationInstanceCreated(eventId >= 0 ? eventId : nextId++, ts,
                        text(n, "FunctionName"), null, text(n, "InstanceId"), null);
                case "SubOrchestrationInstanceCompleted" -> new HistoryEvent.SubOrchestrationInstanceCompleted(-1, ts, link,
                        json(n.get("Result")));
                case "SubOrchestrationInstanceFailed" -> new HistoryEvent.SubOrchestrationInstanceFailed(-1, ts, link,
                        readFailure(n.get("FailureDetails")));
                default -> throw malformed("a history event", "its EventType '" + type + "' is unknown (a newer server? "
                        + "use the command line of the server's version)");
            });
        }
        return events;
    }

    private static boolean isOutcome(String type) {
        return "TaskCompleted".equals(type) || "TaskFailed".equals(type) || "SubOrchestrationInstanceCompleted".equals(type)
                || "SubOrchestrationInstanceFailed".equals(type);
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

    private static FailureDetails readFailure(JsonNode n) {
        requireObject(n, "failure details");
        String errorType = text(n, "errorType");
        if (errorType == null) {
            throw malformed("failure details", "it lacks 'errorType'");
        }
        return new FailureDetails(errorType, text(n, "message"), text(n, "stackTrace"));
    }

    // ---- management payload, purge result, task hub deletion, error ---------------------------------------------

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

    /** Reads a management payload. */
    public static HttpManagementPayload readPayload(JsonNode n) {
        requireObject(n, "a management payload");
        if (text(n, "id") == null) {
            throw malformed("a management payload", "it lacks 'id'");
        }
        return new HttpManagementPayload(text(n, "id"), text(n, "statusQueryGetUri"), text(n, "sendEventPostUri"),
                text(n, "terminatePostUri"), text(n, "rewindPostUri"), text(n, "purgeHistoryDeleteUri"),
                text(n, "restartPostUri"), text(n, "suspendPostUri"), text(n, "resumePostUri"));
    }

    /** {@code {"instancesDeleted": n}}. */
    public static ObjectNode purgeResult(long instancesDeleted) {
        return NODES.objectNode().put("instancesDeleted", instancesDeleted);
    }

    /** Reads {@code {"instancesDeleted": n}}. */
    public static long readPurgeResult(JsonNode n) {
        requireObject(n, "a purge result");
        if (!n.path("instancesDeleted").canConvertToLong()) {
            throw malformed("a purge result", "it lacks a number 'instancesDeleted'");
        }
        return n.get("instancesDeleted").asLong();
    }

    /**
     * {@code {"total": n, "byStatus": {"Running": n, ...}, "byName": {"Hello": {"Completed": n, ...}, ...}}}: instance
     * counts with runtime statuses by their wire names; a nameless instance counts under {@code ""}.
     */
    public static ObjectNode counts(InstanceCounts counts) {
        ObjectNode n = NODES.objectNode().put("total", counts.total());
        ObjectNode byStatus = n.putObject("byStatus");
        counts.byStatus().forEach((status, count) -> byStatus.put(status.wireName(), count));
        ObjectNode byName = n.putObject("byName");
        counts.byName().forEach((name, perStatus) -> {
            ObjectNode one = byName.putObject(name);
            perStatus.forEach((status, count) -> one.put(status.wireName(), count));
        });
        return n;
    }

    /** Reads {@link #counts}: the per-name rows are the source; {@code total} and {@code byStatus} follow from them. */
    public static InstanceCounts readCounts(JsonNode n) {
        requireObject(n, "instance counts");
        JsonNode byName = n.path("byName");
        if (!byName.isObject()) {
            throw malformed("instance counts", "it lacks the object 'byName'");
        }
        InstanceCounts.Tally tally = new InstanceCounts.Tally();
        for (Map.Entry<String, JsonNode> name : byName.properties()) {
            for (Map.Entry<String, JsonNode> status : name.getValue().properties()) {
                if (!status.getValue().canConvertToLong() || status.getValue().asLong() < 1) {
                    throw malformed("instance counts", "the count of '" + name.getKey() + "' / '" + status.getKey() + "' is not a positive number");
                }
                tally.add(name.getKey(), RuntimeStatus.parse(status.getKey()), status.getValue().asLong());
            }
        }
        return tally.build();
    }

    // ---- retention -----------------------------------------------------------------------------------------------

    private static final Set<String> POLICY_FIELDS = Set.of("runtimeStatus", "name", "olderThan");

    /**
     * {@code {"runtimeStatus": "Completed", "name": "ProcessOrder", "olderThan": "P7D"}}: {@code name} is absent for a
     * policy that covers every name; {@code olderThan} is ISO 8601.
     */
    public static ObjectNode retentionPolicy(RetentionPolicy policy) {
        ObjectNode n = NODES.objectNode().put("runtimeStatus", policy.status().wireName());
        policy.name().ifPresent(name -> n.put("name", name));
        return n.put("olderThan", Ages.iso(policy.olderThan()));
    }

    /**
     * Reads {@link #retentionPolicy}: {@code olderThan} may also be short ({@code 7d}, {@code 12h}); a status that is
     * unknown or not terminal, an age that is not positive, a blank name or an unknown field is refused with
     * {@link InvalidRequestException} saying which.
     */
    public static RetentionPolicy readRetentionPolicy(JsonNode n) {
        requireObject(n, "a retention policy ({\"runtimeStatus\": \"Completed\", \"olderThan\": \"P7D\"})");
        for (Map.Entry<String, JsonNode> field : n.properties()) {
            if (!POLICY_FIELDS.contains(field.getKey())) {
                throw new InvalidRequestException("A retention policy has no field '" + field.getKey() + "'; its fields are "
                        + "runtimeStatus (Completed, Failed or Terminated), name (optional) and olderThan (e.g. P7D or 7d).");
            }
            if (!field.getValue().isTextual() && !(field.getKey().equals("name") && field.getValue().isNull())) {
                throw new InvalidRequestException("Field '" + field.getKey() + "' of a retention policy must be a string, got "
                        + field.getValue() + ".");
            }
        }
        String status = text(n, "runtimeStatus");
        if (status == null) {
            throw new InvalidRequestException("A retention policy needs 'runtimeStatus': Completed, Failed or Terminated.");
        }
        return new RetentionPolicy(RuntimeStatus.parse(status), text(n, "name"), Ages.parse(text(n, "olderThan"), "'olderThan'"));
    }

    /** {@code {"policies": [policy, ...]}}. */
    public static ObjectNode retentionPolicies(List<RetentionPolicy> policies) {
        ObjectNode n = NODES.objectNode();
        ArrayNode array = n.putArray("policies");
        policies.forEach(p -> array.add(retentionPolicy(p)));
        return n;
    }

    /** Reads {@link #retentionPolicies}. */
    public static List<RetentionPolicy> readRetentionPolicies(JsonNode n) {
        requireObject(n, "retention policies");
        JsonNode array = n.path("policies");
        if (!array.isArray()) {
            throw malformed("retention policies", "it lacks the array 'policies'");
        }
        List<RetentionPolicy> policies = new ArrayList<>();
        array.forEach(p -> policies.add(readRetentionPolicy(p)));
        return policies;
    }

    /**
     * {@code {"instancesDeleted": n, "more": false, "policies": [{policy..., "instancesDeleted": n, "more": false}]}}:
     * what a retention pass purged; {@code more} says that a policy stopped at its limit.
     */
    public static ObjectNode retentionReport(RetentionReport report) {
        ObjectNode n = NODES.objectNode().put("instancesDeleted", report.total()).put("more", report.more());
        ArrayNode array = n.putArray("policies");
        report.outcomes().forEach(o -> array.add(retentionPolicy(o.policy()).put("instancesDeleted", o.purged()).put("more", o.more())));
        return n;
    }

    /** Reads {@link #retentionReport}. */
    public static RetentionReport readRetentionReport(JsonNode n) {
        requireObject(n, "a retention report");
        JsonNode array = n.path("policies");
        if (!array.isArray()) {
            throw malformed("a retention report", "it lacks the array 'policies'");
        }
        List<RetentionReport.Outcome> outcomes = new ArrayList<>();
        for (JsonNode o : array) {
            if (!o.path("instancesDeleted").canConvertToLong()) {
                throw malformed("a retention report", "a policy lacks the number 'instancesDeleted'");
            }
            ObjectNode policy = o.deepCopy();
            policy.remove(List.of("instancesDeleted", "more"));
            outcomes.add(new RetentionReport.Outcome(readRetentionPolicy(policy), o.get("instancesDeleted").asLong(),
                    o.path("more").asBoolean(false)));
        }
        return new RetentionReport(outcomes);
    }

    /** {@code {"status": "Up"|"Degraded"|"Down"}}: what the health route tells a request without the key. */
    public static ObjectNode healthStatus(HubHealth health) {
        return NODES.objectNode().put("status", health.status().wireName());
    }

    /**
     * {@code {"status", "taskHub", "storageLatencyMs", "stuckPending", "stuckPendingMore", "stuckInstances",
     * "quarantined", "quarantinedMore", "pendingThreshold", "problem"}}: the health route's answer to a request with the key.
     */
    public static ObjectNode health(HubHealth health, String taskHub) {
        ObjectNode n = healthStatus(health).put("taskHub", taskHub);
        if (health.storageLatency() != null) {
            n.put("storageLatencyMs", health.storageLatency().toNanos() / 1e6);
        }
        n.put("stuckPending", health.stuckPending()).put("stuckPendingMore", health.stuckPendingMore())
                .put("stuckInstances", health.stuckInstances()).put("quarantined", health.quarantined())
                .put("quarantinedMore", health.quarantinedMore())
                .put("pendingThreshold", health.pendingThreshold().toString()).put("problem", health.problem());
        return n;
    }

    /** Reads {@link #health} (or {@link #healthStatus}, whose other fields then take their defaults). */
    public static HubHealth readHealth(JsonNode n) {
        requireObject(n, "a health summary");
        String status = text(n, "status");
        HubHealth.Status parsed = null;
        for (HubHealth.Status s : HubHealth.Status.values()) {
            if (s.wireName().equalsIgnoreCase(status)) {
                parsed = s;
            }
        }
        if (parsed == null) {
            throw malformed("a health summary", "its status '" + status + "' is none of Up, Degraded, Down");
        }
        Duration latency = n.hasNonNull("storageLatencyMs") ? Duration.ofNanos((long) (n.get("storageLatencyMs").asDouble() * 1e6)) : null;
        String threshold = text(n, "pendingThreshold");
        return new HubHealth(parsed, latency, n.path("stuckPending").asLong(), n.path("stuckPendingMore").asBoolean(),
                n.path("stuckInstances").asLong(), n.path("quarantined").asLong(), n.path("quarantinedMore").asBoolean(),
                threshold == null ? HubHealth.DEFAULT_PENDING_THRESHOLD : Duration.parse(threshold), text(n, "problem"));
    }

    /** {@code {"taskHub": name, "deleted": true}}, the answer to deleting a task hub. */
    public static ObjectNode taskHubDeleted(String taskHub) {
        return NODES.objectNode().put("taskHub", taskHub).put("deleted", true);
    }

    /** {@code {"message": "..."}}. */
    public static ObjectNode error(String message) {
        return NODES.objectNode().put("message", message);
    }

    /** The {@code message} of an error object; empty when the JSON is none. */
    public static Optional<String> readError(JsonNode n) {
        return n != null && n.hasNonNull("message") ? Optional.of(n.get("message").asText()) : Optional.empty();
    }

    // ---- values --------------------------------------------------------------------------------------------------

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

    /** Parses JSON text; empty for blank text or text that is not JSON. */
    public static Optional<JsonNode> read(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readTree(text));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    // ---- parameters ----------------------------------------------------------------------------------------------

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

    /** Runtime statuses as one query value: wire names, sorted, comma-separated ({@code Pending,Running}). */
    public static String formatStatuses(Set<RuntimeStatus> statuses) {
        return statuses.stream().map(RuntimeStatus::wireName).sorted().collect(Collectors.joining(","));
    }
}

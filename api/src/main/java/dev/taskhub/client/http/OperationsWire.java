package dev.taskhub.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.HistoryCodec;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantineReplay;
import dev.taskhub.query.QuarantinedMessage;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckReason;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.taskhub.client.http.WireFields.instant;
import static dev.taskhub.client.http.WireFields.malformed;
import static dev.taskhub.client.http.WireFields.requireObject;
import static dev.taskhub.client.http.WireFields.text;

/**
 * The wire format of the stuck-instance and quarantine routes (Taskhub extensions), written by the server and by the
 * command line's {@code --json}, and read back by the command line's {@code --url} mode. Stateless and thread-safe.
 *
 * <ul>
 *   <li>stuck instances: {@code {"asOf", "more", "examined": ["Pending", ...], "instances": [{"instanceId", "name",
 *       "runtimeStatus", "reasons": [...], "createdTime", "oldestDueTime", "lockExpiredTime", "deliveryCount"}]}};</li>
 *   <li>a quarantine record: {@code {"id", "instanceId", "executionId", "kind", "deliveryCount", "reason",
 *       "quarantinedTime", "messages": [{"messageId", "executionId", "visibleAt", "event": {...}}]}} (each event in the
 *       stored history format, with its {@code eventType});</li>
 *   <li>a replay: {@code {"recordId", "instanceId", "kind", "rewound", "messagesSent"}}; a discard:
 *       {@code {"recordId", "discarded": true}}.</li>
 * </ul>
 */
public final class OperationsWire {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private OperationsWire() {}

    public static ObjectNode stuck(StuckInstances stuck) {
        ObjectNode n = NODES.objectNode().put("asOf", WireFormat.time(stuck.asOf())).put("more", stuck.more());
        ArrayNode examined = n.putArray("examined");
        EnumSet.copyOf(stuck.examined().isEmpty() ? EnumSet.noneOf(StuckReason.class) : stuck.examined())
                .forEach(r -> examined.add(r.wireName()));
        ArrayNode instances = n.putArray("instances");
        for (StuckInstance i : stuck.instances()) {
            ObjectNode o = instances.addObject().put("instanceId", i.instanceId()).put("name", i.name())
                    .put("runtimeStatus", i.status().wireName());
            ArrayNode reasons = o.putArray("reasons");
            i.orderedReasons().forEach(r -> reasons.add(r.wireName()));
            o.put("createdTime", WireFormat.time(i.createdAt())).put("oldestDueTime", WireFormat.time(i.oldestDueAt()))
                    .put("lockExpiredTime", WireFormat.time(i.lockExpiredAt())).put("deliveryCount", i.deliveryCount());
        }
        return n;
    }

    public static StuckInstances readStuck(JsonNode n) {
        requireObject(n, "a list of stuck instances");
        List<StuckInstance> instances = new ArrayList<>();
        for (JsonNode o : n.path("instances")) {
            Set<StuckReason> reasons = EnumSet.noneOf(StuckReason.class);
            o.path("reasons").forEach(r -> reasons.add(StuckReason.parse(r.asText())));
            if (reasons.isEmpty()) {
                throw malformed("a stuck instance", "it has no reasons");
            }
            instances.add(new StuckInstance(text(o, "instanceId"), text(o, "name"), RuntimeStatus.parse(text(o, "runtimeStatus")),
                    reasons, instant(o, "createdTime"), instant(o, "oldestDueTime"), instant(o, "lockExpiredTime"),
                    o.path("deliveryCount").asInt()));
        }
        Set<StuckReason> examined = EnumSet.noneOf(StuckReason.class);
        n.path("examined").forEach(r -> examined.add(StuckReason.parse(r.asText())));
        return new StuckInstances(instances, n.path("more").asBoolean(), examined, instant(n, "asOf"));
    }

    public static ObjectNode record(QuarantineRecord r) {
        ObjectNode n = NODES.objectNode().put("id", r.id()).put("instanceId", r.instanceId()).put("executionId", r.executionId())
                .put("kind", r.kind().wireName()).put("deliveryCount", r.deliveryCount()).put("reason", r.reason())
                .put("quarantinedTime", WireFormat.time(r.quarantinedAt()));
        ArrayNode messages = n.putArray("messages");
        for (QuarantinedMessage m : r.messages()) {
            ObjectNode o = messages.addObject().put("messageId", m.messageId()).put("executionId", m.executionId())
                    .put("visibleAt", WireFormat.time(m.visibleAt()));
            o.set("event", WireFormat.read(HistoryCodec.encode(m.event())).orElseThrow());
        }
        return n;
    }

    public static ArrayNode records(List<QuarantineRecord> records) {
        ArrayNode a = NODES.arrayNode();
        records.forEach(r -> a.add(record(r)));
        return a;
    }

    public static QuarantineRecord readRecord(JsonNode n) {
        requireObject(n, "a quarantine record");
        List<QuarantinedMessage> messages = new ArrayList<>();
        for (JsonNode m : n.path("messages")) {
            if (!m.path("event").isObject()) {
                throw malformed("a quarantined message", "it has no event");
            }
            messages.add(new QuarantinedMessage(text(m, "messageId"), text(m, "executionId"),
                    HistoryCodec.decode(WireFormat.write(m.get("event"))), instant(m, "visibleAt")));
        }
        try {
            return new QuarantineRecord(text(n, "id"), text(n, "instanceId"), text(n, "executionId"),
                    QuarantineRecord.Kind.parse(String.valueOf(text(n, "kind"))), messages, n.path("deliveryCount").asInt(),
                    text(n, "reason"), instant(n, "quarantinedTime"));
        } catch (NullPointerException | IllegalArgumentException e) {
            throw malformed("a quarantine record", "a field is missing (" + e.getMessage() + ")");
        }
    }

    public static List<QuarantineRecord> readRecords(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw malformed("a list of quarantine records", "it is not a JSON array");
        }
        List<QuarantineRecord> out = new ArrayList<>();
        array.forEach(n -> out.add(readRecord(n)));
        return out;
    }

    /** {@code {"recordId": id, "discarded": true}}, the answer to discarding a record. */
    public static ObjectNode discarded(String recordId) {
        return NODES.objectNode().put("recordId", recordId).put("discarded", true);
    }

    public static ObjectNode replay(QuarantineReplay r) {
        return NODES.objectNode().put("recordId", r.recordId()).put("instanceId", r.instanceId()).put("kind", r.kind().wireName())
                .put("rewound", r.rewound()).put("messagesSent", r.messagesSent());
    }

    public static QuarantineReplay readReplay(JsonNode n) {
        requireObject(n, "a quarantine replay");
        String kind = text(n, "kind");
        if (kind == null) {
            throw malformed("a quarantine replay", "it has no kind");
        }
        try {
            return new QuarantineReplay(text(n, "recordId"), text(n, "instanceId"), QuarantineRecord.Kind.parse(kind),
                    n.path("rewound").asBoolean(), n.path("messagesSent").asInt());
        } catch (InvalidRequestException e) {
            throw malformed("a quarantine replay", e.getMessage());
        }
    }
}

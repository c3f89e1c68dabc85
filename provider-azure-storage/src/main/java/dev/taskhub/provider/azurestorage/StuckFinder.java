package dev.taskhub.provider.azurestorage;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.provider.azurestorage.ControlQueues.HeldFacts;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.support.StuckFacts;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the stuck-instance query finds on Azure Storage besides pending instances (the SPI's default, a query of the
 * instances table). Messages a worker has received are invisible in their queue, and locks and local redeliveries live
 * in the worker's memory, so the facts come from three places:
 * <ul>
 *   <li>a peek at the head of each control queue (up to 32 visible messages, one request per queue): a
 *       {@code TimerFired} due before the cutoff that no worker reads, and the dequeue count of messages that came
 *       back to the queue;</li>
 *   <li>this process's own buffer and locks ({@link ControlQueues#heldFacts}): expired locks not taken again,
 *       deliveries without a checkpoint, due messages and timers no lock has taken;</li>
 *   <li>the heartbeat blob of every other live worker, where each worker writes the same facts for the instances that
 *       look wrong (lock expired, delivered more than once, or due for more than {@link #HEARTBEAT_DUE_AGE}), at most
 *       {@link #HEARTBEAT_LIMIT}, once per partition renewal interval: what they say is up to one interval old.</li>
 * </ul>
 * The facts are judged as every store judges them ({@link StuckFacts}). Thread-safe.
 */
final class StuckFinder {
    static final Set<StuckReason> EXAMINED = Set.of(StuckReason.values());
    static final int HEARTBEAT_LIMIT = 100;
    static final Duration HEARTBEAT_DUE_AGE = Duration.ofSeconds(5);
    private static final int PEEK = 32;
    private static final int LOCAL_LIMIT = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<QueueClient> controlQueues;
    private final PayloadStore payloads;
    private final Function<String, Optional<InstanceState>> instances;
    private final Supplier<ControlQueues> local;
    private final Supplier<List<String>> otherHeartbeats;

    StuckFinder(List<QueueClient> controlQueues, PayloadStore payloads, Function<String, Optional<InstanceState>> instances,
                Supplier<ControlQueues> local, Supplier<List<String>> otherHeartbeats) {
        this.controlQueues = controlQueues;
        this.payloads = payloads;
        this.instances = instances;
        this.local = local;
        this.otherHeartbeats = otherHeartbeats;
    }

    /** Adds what the queues, this process and the other workers know to {@code pending} (the default's answer). */
    StuckInstances find(StuckQuery query, Instant now, StuckInstances pending) {
        Instant cutoff = now.minus(query.threshold());
        Map<String, HeldFacts> facts = new LinkedHashMap<>();
        for (QueueClient queue : controlQueues) {
            List<PeekedMessageItem> peeked = AzureErrors.call("peeking at a control queue",
                    () -> queue.peekMessages(PEEK, null, null).stream().toList());
            for (PeekedMessageItem item : peeked) {
                Envelope e;
                try {
                    e = Envelope.fromQueueText(item.getBody().toString(), payloads);
                } catch (RuntimeException unreadable) {
                    continue;   // the owner drops it when it reads it
                }
                Instant timer = e.event() instanceof HistoryEvent.TimerFired fired && fired.fireAt().isBefore(cutoff) ? fired.fireAt() : null;
                int deliveries = (int) item.getDequeueCount();
                if (timer != null || deliveries >= query.repeatedDeliveries()) {
                    merge(facts, new HeldFacts(e.instanceId(), null, deliveries, timer, timer));
                }
            }
        }
        local.get().heldFacts(now, LOCAL_LIMIT).forEach(f -> merge(facts, f));
        for (String heartbeat : otherHeartbeats.get()) {
            decode(heartbeat).forEach(f -> merge(facts, f));
        }
        Map<String, StuckInstance> found = new LinkedHashMap<>();
        pending.instances().forEach(s -> found.put(s.instanceId(), s));
        for (HeldFacts f : facts.values()) {
            instances.apply(f.instanceId()).ifPresent(s -> new StuckFacts(f.instanceId(), s.name(), s.status(), s.createdAt(),
                    s.scheduledStartAt(), f.oldestDue(), f.oldestTimer(), f.lockedUntil() != null && f.lockedUntil().isAfter(now),
                    f.lockedUntil(), f.deliveries()).judge(query, now).ifPresent(stuck -> found.merge(f.instanceId(), stuck, StuckFinder::union)));
        }
        return StuckFacts.answer(found.values(), query, now, EXAMINED, pending.more());
    }

    private static void merge(Map<String, HeldFacts> facts, HeldFacts f) {
        facts.merge(f.instanceId(), f, (a, b) -> new HeldFacts(a.instanceId(), later(a.lockedUntil(), b.lockedUntil()),
                Math.max(a.deliveries(), b.deliveries()), earlier(a.oldestDue(), b.oldestDue()), earlier(a.oldestTimer(), b.oldestTimer())));
    }

    private static StuckInstance union(StuckInstance a, StuckInstance b) {
        Set<StuckReason> reasons = EnumSet.copyOf(a.reasons());
        reasons.addAll(b.reasons());
        return new StuckInstance(b.instanceId(), b.name(), b.status(), reasons, b.createdAt(), earlier(a.oldestDueAt(), b.oldestDueAt()),
                b.lockExpiredAt() != null ? b.lockExpiredAt() : a.lockExpiredAt(), Math.max(a.deliveryCount(), b.deliveryCount()));
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    /** This worker's heartbeat text: the time and the facts of the instances it holds that look wrong. */
    static String heartbeat(Instant now, ControlQueues control) {
        ObjectNode root = JSON.createObjectNode().put("at", now.toString());
        ArrayNode held = root.putArray("held");
        control.heldFacts(now, LOCAL_LIMIT).stream()
                .filter(f -> f.lockedUntil() != null && f.lockedUntil().isBefore(now) || f.deliveries() > 1
                        || f.oldestDue() != null && f.oldestDue().isBefore(now.minus(HEARTBEAT_DUE_AGE)))
                .limit(HEARTBEAT_LIMIT)
                .forEach(f -> {
                    ObjectNode n = held.addObject().put("instanceId", f.instanceId()).put("deliveries", f.deliveries());
                    putInstant(n, "lockedUntil", f.lockedUntil());
                    putInstant(n, "oldestDue", f.oldestDue());
                    putInstant(n, "oldestTimer", f.oldestTimer());
                });
        return root.toString();
    }

    /** The facts in another worker's heartbeat; none when it is unreadable (an older worker writes only the time). */
    static List<HeldFacts> decode(String heartbeat) {
        try {
            JsonNode held = JSON.readTree(heartbeat).path("held");
            return java.util.stream.StreamSupport.stream(held.spliterator(), false)
                    .map(n -> new HeldFacts(n.path("instanceId").asText(), instant(n, "lockedUntil"), n.path("deliveries").asInt(),
                            instant(n, "oldestDue"), instant(n, "oldestTimer")))
                    .filter(f -> !f.instanceId().isEmpty())
                    .toList();
        } catch (Exception unreadable) {
            return List.of();
        }
    }

    private static void putInstant(ObjectNode node, String field, Instant value) {
        if (value != null) {
            node.put(field, value.toString());
        }
    }

    private static Instant instant(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : Instant.parse(v.asText());
    }
}

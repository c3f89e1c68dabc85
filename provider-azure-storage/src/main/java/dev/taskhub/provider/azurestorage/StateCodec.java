package dev.taskhub.provider.azurestorage;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.HistoryCodec;
import dev.taskhub.spi.InstanceState;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Converts an {@link InstanceState} to table properties and back. Large text fields go to blobs ({@code <Field>Blob})
 * with unique names. The same properties (same blob names), with a prefix, are copied onto the history sentinel so a
 * crash between the history write and the instance-row write can be repaired.
 */
final class StateCodec {
    static final String[] LARGE_FIELDS = {"Input", "Output", "CustomStatus", "FailureDetails"};

    private StateCodec() {}

    /**
     * The table properties of {@code s} (without prefix). A large field is stored as a blob under a new, unique name
     * ({@code <folder>state/<Field>/<random>}), so it never overwrites a blob another writer's row or sentinel refers
     * to; when the field is unchanged from {@code previous}, whose properties {@code previousProps} already name a
     * blob for it, that blob is referred to again instead. Names of the blobs uploaded here are added to
     * {@code uploaded}.
     */
    static Map<String, Object> encode(InstanceState s, PayloadStore payloads, InstanceState previous, Map<String, Object> previousProps,
                                      List<String> uploaded) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("InstanceId", s.instanceId());
        p.put("Name", s.name());
        putIf(p, "Version", s.version());
        putIf(p, "ExecutionId", s.executionId());
        p.put("RuntimeStatus", s.status().wireName());
        large(p, "Input", s.input(), previous == null ? null : previous.input(), s.instanceId(), payloads, previousProps, uploaded);
        large(p, "Output", s.output(), previous == null ? null : previous.output(), s.instanceId(), payloads, previousProps, uploaded);
        large(p, "CustomStatus", s.customStatus(), previous == null ? null : previous.customStatus(), s.instanceId(), payloads,
                previousProps, uploaded);
        large(p, "FailureDetails", s.failureDetails() == null ? null : json(s.failureDetails()),
                previous == null || previous.failureDetails() == null ? null : json(previous.failureDetails()), s.instanceId(), payloads,
                previousProps, uploaded);
        p.put("CreatedTime", OffsetDateTime.ofInstant(s.createdAt(), ZoneOffset.UTC));
        p.put("CreatedAt", s.createdAt().toString());
        p.put("LastUpdatedTime", OffsetDateTime.ofInstant(s.lastUpdatedAt(), ZoneOffset.UTC));
        p.put("LastUpdatedAt", s.lastUpdatedAt().toString());
        putIf(p, "ScheduledStartAt", s.scheduledStartAt() == null ? null : s.scheduledStartAt().toString());
        putIf(p, "ParentInstanceId", s.parentInstanceId());
        return p;
    }

    /** The state properties with {@code prefix} in front of every name (the sentinel's copy). */
    static Map<String, Object> prefixed(Map<String, Object> props, String prefix) {
        Map<String, Object> p = new LinkedHashMap<>();
        props.forEach((k, v) -> p.put(prefix + k, v));
        return p;
    }

    /** The state properties stored under {@code prefix}, without it. */
    static Map<String, Object> unprefixed(Map<String, Object> props, String prefix) {
        Map<String, Object> p = new LinkedHashMap<>();
        props.forEach((k, v) -> {
            if (k.startsWith(prefix) && !k.contains("@")) {
                p.put(k.substring(prefix.length()), v);
            }
        });
        return p;
    }

    /** The blob names the state properties refer to. */
    static Set<String> blobs(Map<String, Object> props) {
        Set<String> names = new LinkedHashSet<>();
        if (props != null) {
            for (String field : LARGE_FIELDS) {
                String name = str(props, field + "Blob");
                if (name != null) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    static boolean hasState(Map<String, Object> props, String prefix) {
        return props.get(prefix + "Name") != null;
    }

    static InstanceState fromProps(Map<String, Object> p, String prefix, PayloadStore payloads, boolean withPayloads) {
        String id = str(p, prefix + "InstanceId");
        String failure = readLarge(p, prefix, "FailureDetails", payloads, true);
        return InstanceState.builder().instanceId(id).name(str(p, prefix + "Name")).version(str(p, prefix + "Version"))
                .executionId(str(p, prefix + "ExecutionId"))
                .status(RuntimeStatus.parse(str(p, prefix + "RuntimeStatus")))
                .input(withPayloads ? readLarge(p, prefix, "Input", payloads, true) : null)
                .output(withPayloads ? readLarge(p, prefix, "Output", payloads, true) : null)
                .customStatus(readLarge(p, prefix, "CustomStatus", payloads, true))
                .failureDetails(failure == null ? null : parseFailure(failure))
                .createdAt(Instant.parse(str(p, prefix + "CreatedAt")))
                .lastUpdatedAt(Instant.parse(str(p, prefix + "LastUpdatedAt")))
                .scheduledStartAt(str(p, prefix + "ScheduledStartAt") == null ? null : Instant.parse(str(p, prefix + "ScheduledStartAt")))
                .parentInstanceId(str(p, prefix + "ParentInstanceId")).build();
    }

    private static void large(Map<String, Object> p, String field, String value, String previousValue, String instanceId,
                              PayloadStore payloads, Map<String, Object> previousProps, List<String> uploaded) {
        if (value == null) {
            return;
        }
        if (value.length() <= PayloadStore.MAX_PROPERTY_CHARS) {
            p.put(field, value);
            return;
        }
        String reuse = previousProps == null ? null : str(previousProps, field + "Blob");
        if (reuse != null && value.equals(previousValue)) {
            p.put(field + "Blob", reuse);
            return;
        }
        String name = Keys.blobFolder(instanceId) + "state/" + field + "/" + UUID.randomUUID();
        payloads.upload(name, value);
        uploaded.add(name);
        p.put(field + "Blob", name);
    }

    private static String readLarge(Map<String, Object> p, String prefix, String field, PayloadStore payloads, boolean fetch) {
        String inline = str(p, prefix + field);
        if (inline != null) {
            return inline;
        }
        String blob = str(p, prefix + field + "Blob");
        return blob == null || !fetch ? null : payloads.download(blob);
    }

    private static void putIf(Map<String, Object> p, String key, Object value) {
        if (value != null) {
            p.put(key, value);
        }
    }

    static String str(Map<String, Object> p, String key) {
        Object v = p.get(key);
        return v == null ? null : v.toString();
    }

    static long lng(Map<String, Object> p, String key, long dflt) {
        Object v = p.get(key);
        if (v instanceof Number n) {
            return n.longValue();
        }
        return v == null ? dflt : Long.parseLong(v.toString());
    }

    private static String json(FailureDetails value) {
        return HistoryCodec.encodeFailure(value);
    }

    private static FailureDetails parseFailure(String json) {
        return HistoryCodec.decodeFailure(json);
    }
}

package dev.taskhub.provider.azurestorage;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.internal.JsonDataConverter;
import dev.taskhub.spi.InstanceState;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converts an {@link InstanceState} to table properties and back. Large text fields go to blobs ({@code <Field>Blob}).
 * The same properties, with a prefix, are copied onto the history sentinel so a crash between the history write
 * and the instance-row write can be repaired.
 */
final class StateCodec {
    static final String[] LARGE_FIELDS = {"Input", "Output", "CustomStatus", "FailureDetails"};

    private StateCodec() {}

    static Map<String, Object> toProps(InstanceState s, String prefix, PayloadStore payloads) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(prefix + "InstanceId", s.instanceId());
        p.put(prefix + "Name", s.name());
        putIf(p, prefix + "Version", s.version());
        putIf(p, prefix + "ExecutionId", s.executionId());
        p.put(prefix + "RuntimeStatus", s.status().wireName());
        large(p, prefix, "Input", s.input(), s.instanceId(), payloads);
        large(p, prefix, "Output", s.output(), s.instanceId(), payloads);
        large(p, prefix, "CustomStatus", s.customStatus(), s.instanceId(), payloads);
        large(p, prefix, "FailureDetails", s.failureDetails() == null ? null : json(s.failureDetails()), s.instanceId(), payloads);
        p.put(prefix + "CreatedTime", OffsetDateTime.ofInstant(s.createdAt(), ZoneOffset.UTC));
        p.put(prefix + "CreatedAt", s.createdAt().toString());
        p.put(prefix + "LastUpdatedTime", OffsetDateTime.ofInstant(s.lastUpdatedAt(), ZoneOffset.UTC));
        p.put(prefix + "LastUpdatedAt", s.lastUpdatedAt().toString());
        putIf(p, prefix + "ScheduledStartAt", s.scheduledStartAt() == null ? null : s.scheduledStartAt().toString());
        putIf(p, prefix + "ParentInstanceId", s.parentInstanceId());
        return p;
    }

    static boolean hasState(Map<String, Object> props, String prefix) {
        return props.get(prefix + "Name") != null;
    }

    static InstanceState fromProps(Map<String, Object> p, String prefix, PayloadStore payloads, boolean withPayloads) {
        String id = str(p, prefix + "InstanceId");
        String failure = readLarge(p, prefix, "FailureDetails", payloads, true);
        return new InstanceState(id, str(p, prefix + "Name"), str(p, prefix + "Version"), str(p, prefix + "ExecutionId"),
                RuntimeStatus.parse(str(p, prefix + "RuntimeStatus")),
                withPayloads ? readLarge(p, prefix, "Input", payloads, true) : null,
                withPayloads ? readLarge(p, prefix, "Output", payloads, true) : null,
                readLarge(p, prefix, "CustomStatus", payloads, true),
                failure == null ? null : parseFailure(failure),
                Instant.parse(str(p, prefix + "CreatedAt")), Instant.parse(str(p, prefix + "LastUpdatedAt")),
                str(p, prefix + "ScheduledStartAt") == null ? null : Instant.parse(str(p, prefix + "ScheduledStartAt")),
                str(p, prefix + "ParentInstanceId"));
    }

    private static void large(Map<String, Object> p, String prefix, String field, String value, String instanceId, PayloadStore payloads) {
        if (value == null) {
            return;
        }
        if (value.length() <= PayloadStore.MAX_PROPERTY_CHARS) {
            p.put(prefix + field, value);
        } else {
            String name = Keys.blobFolder(instanceId) + "state/" + field;
            payloads.upload(name, value);
            p.put(prefix + field + "Blob", name);
        }
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

    private static String json(Object value) {
        try {
            return JsonDataConverter.DEFAULT.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new StorageException("Cannot serialise failure details: " + e.getOriginalMessage(), e);
        }
    }

    private static FailureDetails parseFailure(String json) {
        try {
            return JsonDataConverter.DEFAULT.mapper().readValue(json, FailureDetails.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("Stored failure details are not readable: " + e.getOriginalMessage(), e);
        }
    }
}

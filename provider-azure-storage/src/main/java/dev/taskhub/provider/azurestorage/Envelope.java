package dev.taskhub.provider.azurestorage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.taskhub.StorageException;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.TaskMessage;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The JSON body of a queue message: an orchestration message ({@code kind = "o"}) or an activity request
 * ({@code kind = "a"}). {@code seq} orders one sender's messages; {@code blob} points to the full envelope in the
 * large-message container when it is too big for a queue message.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Envelope(String kind, String messageId, String instanceId, String executionId, HistoryEvent event, Instant visibleAt,
                long seq, Integer taskId, String name, String input, String blob) {
    private static final AtomicLong LAST_SEQ = new AtomicLong();

    /** A process-wide increasing sequence close to the wall clock in microseconds. */
    static long nextSeq() {
        long now = System.currentTimeMillis() * 1000;
        return LAST_SEQ.updateAndGet(prev -> Math.max(prev + 1, now));
    }

    static Envelope of(TaskMessage m) {
        return new Envelope("o", m.messageId(), m.instanceId(), m.executionId(), m.event(), m.visibleAt(), nextSeq(), null, null, null, null);
    }

    static Envelope of(ActivityRequest r) {
        return new Envelope("a", r.messageId(), r.instanceId(), r.executionId(), null, null, nextSeq(), r.taskId(), r.name(), r.input(), null);
    }

    TaskMessage toMessage() {
        return new TaskMessage(messageId, instanceId, executionId, event, visibleAt);
    }

    ActivityRequest toRequest() {
        return new ActivityRequest(messageId, instanceId, executionId, taskId == null ? 0 : taskId, name, input);
    }

    String toJson() {
        try {
            return JsonDataConverter.DEFAULT.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new StorageException("Cannot serialise a queue message: " + e.getOriginalMessage(), e);
        }
    }

    static Envelope fromJson(String json) {
        try {
            return JsonDataConverter.DEFAULT.mapper().readValue(json, Envelope.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("A queue message is not a Taskhub message: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The text to put on the queue, offloading the envelope to a blob when it is too large. The blob gets a new name
     * for every send ({@code <folder>message/<messageId>-<random>}): the same message sent again (a replayed or stale
     * checkpoint) never overwrites the blob of a copy that is already on a queue.
     */
    String toQueueText(PayloadStore payloads) {
        String json = toJson();
        if (json.getBytes(StandardCharsets.UTF_8).length <= PayloadStore.MAX_QUEUE_BYTES) {
            return json;
        }
        String blob = Keys.blobFolder(instanceId) + "message/" + messageId + "-" + UUID.randomUUID();
        payloads.upload(blob, json);
        return new Envelope(kind, messageId, instanceId, executionId, null, visibleAt, seq, null, null, null, blob).toJson();
    }

    /** The envelope as sent: {@code text} is what went on the queue (possibly a blob reference). */
    Envelope sentAs(String text) {
        String blob = text.contains("\"blob\"") ? fromJson(text).blob : null;
        return blob == null ? this : new Envelope(kind, messageId, instanceId, executionId, event, visibleAt, seq, taskId, name,
                input, blob);
    }

    /** Reads a queue message, fetching the full envelope from its blob when it was offloaded. */
    static Envelope fromQueueText(String text, PayloadStore payloads) {
        Envelope e = fromJson(text);
        if (e.blob == null) {
            return e;
        }
        Envelope full = fromJson(payloads.download(e.blob));
        return new Envelope(full.kind, full.messageId, full.instanceId, full.executionId, full.event, full.visibleAt, full.seq,
                full.taskId, full.name, full.input, e.blob);
    }
}

package dev.taskhub.provider.azurestorage;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.SendMessageResult;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.TaskMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Sends messages: orchestration messages to the control queue of the target instance's partition, activity requests
 * to the work-item queue, payloads too large for a queue message to a blob. Used by the instance store (start
 * messages), the queue store (activity results) and the checkpoint writer (outbound messages).
 */
final class Enqueuer {
    private final List<QueueClient> controlQueues;
    private final QueueClient workItems;
    private final PayloadStore payloads;
    private final int partitionCount;

    Enqueuer(List<QueueClient> controlQueues, QueueClient workItems, PayloadStore payloads, int partitionCount) {
        this.controlQueues = controlQueues;
        this.workItems = workItems;
        this.payloads = payloads;
        this.partitionCount = partitionCount;
    }

    /** The partition (control queue index) of an instance. */
    int partitionOf(String instanceId) {
        return Keys.partition(instanceId, partitionCount);
    }

    QueueClient controlQueue(int partition) {
        return controlQueues.get(partition);
    }

    void sendOrchestrationMessage(TaskMessage message) {
        Envelope envelope = Envelope.of(message);
        QueueClient queue = controlQueues.get(partitionOf(message.instanceId()));
        send(queue, envelope.toQueueText(payloads), message.visibleAt(), "sending a message to '" + message.instanceId() + "'");
    }

    void sendActivity(ActivityRequest request) {
        send(workItems, Envelope.of(request).toQueueText(payloads), null, "scheduling activity '" + request.name() + "'");
    }

    SendMessageResult send(QueueClient queue, String text, Instant visibleAt, String what) {
        Duration delay = null;
        if (visibleAt != null) {
            long millis = Duration.between(Instant.now(), visibleAt).toMillis();
            if (millis > 0) {
                // whole seconds, rounded up, so a message never becomes visible early; at most ~7 days
                delay = Duration.ofSeconds(Math.min(ControlQueues.MAX_VISIBILITY.toSeconds(), (millis + 999) / 1000));
            }
        }
        Duration visibility = delay;
        return AzureErrors.call(what, () -> queue.sendMessageWithResponse(text, visibility, Duration.ofSeconds(-1), null, null).getValue());
    }
}

package dev.taskhub.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;

import java.time.Instant;

/**
 * One event of an orchestration's append-only history. Payloads ({@code input}, {@code result}) are JSON text
 * produced by the data converter, so events can be stored and replayed without knowing user types.
 *
 * <p>{@code eventId} is the sequence number of the durable call for events that record an action
 * ({@link TaskScheduled}, {@link TimerCreated}, {@link SubOrchestrationInstanceCreated}, {@link EventSent});
 * it is {@code -1} for all other events except {@link ExecutionRewound}. Events that complete an action refer to it by {@code taskScheduledId}
 * or {@code timerId}.
 *
 * <p>The events that start work ({@link ExecutionStarted}, {@link TaskScheduled},
 * {@link SubOrchestrationInstanceCreated}, {@link EventSent}) may carry a {@link TraceContext}: the W3C trace context
 * the work belongs to, so that a trace follows the work across processes and providers. It is absent (null, and not
 * written) when tracing is off and in histories written before it existed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "EventType")
@JsonSubTypes({
        @JsonSubTypes.Type(value = HistoryEvent.ExecutionStarted.class, name = "ExecutionStarted"),
        @JsonSubTypes.Type(value = HistoryEvent.ExecutionCompleted.class, name = "ExecutionCompleted"),
        @JsonSubTypes.Type(value = HistoryEvent.ExecutionTerminated.class, name = "ExecutionTerminated"),
        @JsonSubTypes.Type(value = HistoryEvent.ExecutionSuspended.class, name = "ExecutionSuspended"),
        @JsonSubTypes.Type(value = HistoryEvent.ExecutionResumed.class, name = "ExecutionResumed"),
        @JsonSubTypes.Type(value = HistoryEvent.ExecutionRewound.class, name = "ExecutionRewound"),
        @JsonSubTypes.Type(value = HistoryEvent.ContinueAsNew.class, name = "ContinueAsNew"),
        @JsonSubTypes.Type(value = HistoryEvent.OrchestratorStarted.class, name = "OrchestratorStarted"),
        @JsonSubTypes.Type(value = HistoryEvent.OrchestratorCompleted.class, name = "OrchestratorCompleted"),
        @JsonSubTypes.Type(value = HistoryEvent.TaskScheduled.class, name = "TaskScheduled"),
        @JsonSubTypes.Type(value = HistoryEvent.TaskCompleted.class, name = "TaskCompleted"),
        @JsonSubTypes.Type(value = HistoryEvent.TaskFailed.class, name = "TaskFailed"),
        @JsonSubTypes.Type(value = HistoryEvent.TimerCreated.class, name = "TimerCreated"),
        @JsonSubTypes.Type(value = HistoryEvent.TimerFired.class, name = "TimerFired"),
        @JsonSubTypes.Type(value = HistoryEvent.EventRaised.class, name = "EventRaised"),
        @JsonSubTypes.Type(value = HistoryEvent.EventSent.class, name = "EventSent"),
        @JsonSubTypes.Type(value = HistoryEvent.SubOrchestrationInstanceCreated.class, name = "SubOrchestrationInstanceCreated"),
        @JsonSubTypes.Type(value = HistoryEvent.SubOrchestrationInstanceCompleted.class, name = "SubOrchestrationInstanceCompleted"),
        @JsonSubTypes.Type(value = HistoryEvent.SubOrchestrationInstanceFailed.class, name = "SubOrchestrationInstanceFailed"),
})
public sealed interface HistoryEvent {
    int eventId();

    Instant timestamp();

    /** The type name used on the wire ({@code EventType}), e.g. {@code TaskCompleted}. */
    default String eventType() {
        return getClass().getSimpleName();
    }

    /**
     * The sequence number of the call an outcome answers: the {@code taskScheduledId} of a task's or a
     * sub-orchestration's completion or failure; null for every other event (timers answer by {@code timerId}).
     */
    static Integer answeredCallId(HistoryEvent e) {
        if (e instanceof TaskCompleted c) return c.taskScheduledId();
        if (e instanceof TaskFailed f) return f.taskScheduledId();
        if (e instanceof SubOrchestrationInstanceCompleted c) return c.taskScheduledId();
        if (e instanceof SubOrchestrationInstanceFailed f) return f.taskScheduledId();
        return null;
    }

    /** The orchestration that started a sub-orchestration, and the task id its completion answers. */
    record ParentInstance(String instanceId, String executionId, int taskScheduledId, String name) {}

    /** The execution started; {@code traceContext} is the trace it belongs to, or null (see {@link TraceContext}). */
    record ExecutionStarted(int eventId, Instant timestamp, String name, String version, String input,
                            String executionId, ParentInstance parent, Instant scheduledStartTime,
                            @JsonInclude(JsonInclude.Include.NON_NULL) TraceContext traceContext) implements HistoryEvent {
        /** A start without a trace context. */
        public ExecutionStarted(int eventId, Instant timestamp, String name, String version, String input,
                                String executionId, ParentInstance parent, Instant scheduledStartTime) {
            this(eventId, timestamp, name, version, input, executionId, parent, scheduledStartTime, null);
        }
    }

    /** The execution ended; {@code status} is COMPLETED or FAILED (termination has its own event). */
    record ExecutionCompleted(int eventId, Instant timestamp, RuntimeStatus status, String result,
                              FailureDetails failureDetails) implements HistoryEvent {}

    record ExecutionTerminated(int eventId, Instant timestamp, String reason, boolean recursive) implements HistoryEvent {}

    record ExecutionSuspended(int eventId, Instant timestamp, String reason) implements HistoryEvent {}

    record ExecutionResumed(int eventId, Instant timestamp, String reason) implements HistoryEvent {}

    /**
     * A failed execution was rewound. Its {@code eventId} is the sequence number of the first call made after the
     * rewind (above every number the failed execution had used), or -1 in histories written before rewinds recorded it.
     * In history, {@code requestId} is the message id of the rewind request it applied, so a request delivered again is
     * not applied twice (null in histories written before, and in the request message itself).
     */
    record ExecutionRewound(int eventId, Instant timestamp, String reason, String requestId) implements HistoryEvent {
        /** A rewind request, or an event without the id of its request. */
        public ExecutionRewound(int eventId, Instant timestamp, String reason) {
            this(eventId, timestamp, reason, null);
        }
    }

    record ContinueAsNew(int eventId, Instant timestamp, String input) implements HistoryEvent {}

    record OrchestratorStarted(int eventId, Instant timestamp) implements HistoryEvent {}

    record OrchestratorCompleted(int eventId, Instant timestamp) implements HistoryEvent {}

    /** An activity call; {@code traceContext} is the trace it belongs to, or null. */
    record TaskScheduled(int eventId, Instant timestamp, String name, String input,
                         @JsonInclude(JsonInclude.Include.NON_NULL) TraceContext traceContext) implements HistoryEvent {
        /** A call without a trace context. */
        public TaskScheduled(int eventId, Instant timestamp, String name, String input) {
            this(eventId, timestamp, name, input, null);
        }
    }

    record TaskCompleted(int eventId, Instant timestamp, int taskScheduledId, String result) implements HistoryEvent {}

    record TaskFailed(int eventId, Instant timestamp, int taskScheduledId, FailureDetails failureDetails) implements HistoryEvent {}

    record TimerCreated(int eventId, Instant timestamp, Instant fireAt) implements HistoryEvent {}

    record TimerFired(int eventId, Instant timestamp, int timerId, Instant fireAt) implements HistoryEvent {}

    /** An external event. {@code messageId} identifies the message that delivered it, so a redelivery is recognised. */
    record EventRaised(int eventId, Instant timestamp, String name, String input, String messageId) implements HistoryEvent {}

    /** An event sent to another instance; {@code traceContext} is the trace it belongs to, or null. */
    record EventSent(int eventId, Instant timestamp, String instanceId, String name, String input,
                     @JsonInclude(JsonInclude.Include.NON_NULL) TraceContext traceContext) implements HistoryEvent {
        /** An event without a trace context. */
        public EventSent(int eventId, Instant timestamp, String instanceId, String name, String input) {
            this(eventId, timestamp, instanceId, name, input, null);
        }
    }

    /** A sub-orchestration call; {@code traceContext} is the trace it belongs to, or null. */
    record SubOrchestrationInstanceCreated(int eventId, Instant timestamp, String name, String version, String instanceId,
                                           String input,
                                           @JsonInclude(JsonInclude.Include.NON_NULL) TraceContext traceContext) implements HistoryEvent {
        /** A call without a trace context. */
        public SubOrchestrationInstanceCreated(int eventId, Instant timestamp, String name, String version, String instanceId,
                                               String input) {
            this(eventId, timestamp, name, version, instanceId, input, null);
        }
    }

    record SubOrchestrationInstanceCompleted(int eventId, Instant timestamp, int taskScheduledId, String result) implements HistoryEvent {}

    record SubOrchestrationInstanceFailed(int eventId, Instant timestamp, int taskScheduledId,
                                          FailureDetails failureDetails) implements HistoryEvent {}
}

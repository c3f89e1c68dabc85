package dev.taskhub.testing;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.history.HistoryEvent;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Assertions on an instance's history and final status, from {@link TestTaskHub#assertThat(String)} or
 * {@link #of(String, List, OrchestrationMetadata, DataConverter)}. Each assertion throws {@link AssertionError} with
 * the expected and actual values and a one-line summary of the history; the readers ({@link #activityCalls()}, …)
 * serve other assertion libraries. Immutable.
 */
public final class HistoryAssert {
    private final String instanceId;
    private final List<HistoryEvent> events;
    private final OrchestrationMetadata metadata;
    private final DataConverter converter;

    HistoryAssert(String instanceId, List<HistoryEvent> events, OrchestrationMetadata metadata, DataConverter converter) {
        this.instanceId = instanceId;
        this.events = List.copyOf(events);
        this.metadata = metadata;
        this.converter = converter;
    }

    /** Assertions over a history read elsewhere; {@code metadata} (with output) may be null for history-only checks. */
    public static HistoryAssert of(String instanceId, List<HistoryEvent> events, OrchestrationMetadata metadata, DataConverter converter) {
        return new HistoryAssert(Objects.requireNonNull(instanceId, "instanceId"), Objects.requireNonNull(events, "events"),
                metadata, Objects.requireNonNull(converter, "converter"));
    }

    // ---- readers -------------------------------------------------------------------------------------------------

    /** The events of the current execution, in order. */
    public List<HistoryEvent> events() {
        return events;
    }

    /** The names of the activities the orchestrator called, in call order (a retried call counts each attempt). */
    public List<String> activityCalls() {
        return events.stream().filter(HistoryEvent.TaskScheduled.class::isInstance).map(HistoryEvent.TaskScheduled.class::cast)
                .sorted(Comparator.comparingInt(HistoryEvent::eventId)).map(HistoryEvent.TaskScheduled::name).toList();
    }

    /** The names of the sub-orchestrators the orchestrator called, in call order. */
    public List<String> subOrchestratorCalls() {
        return events.stream().filter(HistoryEvent.SubOrchestrationInstanceCreated.class::isInstance)
                .map(HistoryEvent.SubOrchestrationInstanceCreated.class::cast)
                .sorted(Comparator.comparingInt(HistoryEvent::eventId)).map(HistoryEvent.SubOrchestrationInstanceCreated::name).toList();
    }

    /** The names of the external events the instance received, in arrival order. */
    public List<String> eventsReceived() {
        return events.stream().filter(HistoryEvent.EventRaised.class::isInstance).map(e -> ((HistoryEvent.EventRaised) e).name()).toList();
    }

    /** How many durable timers (including retry delays) the orchestrator created. */
    public long timersCreated() {
        return events.stream().filter(HistoryEvent.TimerCreated.class::isInstance).count();
    }

    /** How many of them fired. */
    public long timersFired() {
        return events.stream().filter(HistoryEvent.TimerFired.class::isInstance).count();
    }

    // ---- assertions ----------------------------------------------------------------------------------------------

    /** The activities called are exactly these, in this order. */
    public HistoryAssert calledActivities(String... names) {
        return same("activities called", Arrays.asList(names), activityCalls());
    }

    /** The sub-orchestrators called are exactly these, in this order. */
    public HistoryAssert calledSubOrchestrators(String... names) {
        return same("sub-orchestrators called", Arrays.asList(names), subOrchestratorCalls());
    }

    /** The external events received are exactly these, in this order. */
    public HistoryAssert receivedEvents(String... names) {
        return same("events received", Arrays.asList(names), eventsReceived());
    }

    /** Exactly {@code count} durable timers were created. */
    public HistoryAssert createdTimers(int count) {
        return same("timers created", (long) count, timersCreated());
    }

    /** Exactly {@code count} durable timers fired. */
    public HistoryAssert firedTimers(int count) {
        return same("timers fired", (long) count, timersFired());
    }

    /** The instance completed and its output, read as the expected value's type, equals {@code expected}. */
    public HistoryAssert completedWith(Object expected) {
        hasStatus(RuntimeStatus.COMPLETED);
        Object actual = expected == null ? metadata.serializedOutput() : converter.deserialize(metadata.serializedOutput(), expected.getClass());
        if (expected == null ? actual != null && !"null".equals(actual) : !expected.equals(actual)) {
            throw failure("output", expected, actual);
        }
        return this;
    }

    /** The instance failed with a failure whose type or message contains {@code text}. */
    public HistoryAssert failedWith(String text) {
        hasStatus(RuntimeStatus.FAILED);
        var failure = metadata.failureDetails().orElse(null);
        String type = failure == null ? "" : failure.errorType();
        String message = failure == null || failure.message() == null ? "" : failure.message();
        if (!type.contains(text) && !message.contains(text)) {
            throw failure("failure", "a type or message containing '" + text + "'", type + ": " + message);
        }
        return this;
    }

    /** The instance has this runtime status. */
    public HistoryAssert hasStatus(RuntimeStatus expected) {
        if (metadata == null) {
            throw new AssertionError("Instance '" + instanceId + "' does not exist (or no status was given).");
        }
        if (metadata.runtimeStatus() != expected) {
            throw failure("status", expected, metadata.runtimeStatus()
                    + metadata.failureDetails().map(f -> " (" + f.errorType() + ": " + f.message() + ")").orElse(""));
        }
        return this;
    }

    private HistoryAssert same(String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw failure(what, expected, actual);
        }
        return this;
    }

    private AssertionError failure(String what, Object expected, Object actual) {
        return new org.opentest4j.AssertionFailedError("Instance '" + instanceId + "': expected " + what + " " + expected
                + " but was " + actual + ". History: " + summary(events), expected, actual);
    }

    /** One line per history: the event types with their names, e.g. {@code ExecutionStarted(Orch) TaskScheduled#0(A) …}. */
    static String summary(List<HistoryEvent> events) {
        return events.stream().filter(e -> !(e instanceof HistoryEvent.OrchestratorStarted || e instanceof HistoryEvent.OrchestratorCompleted))
                .map(HistoryAssert::describe).collect(Collectors.joining(" "));
    }

    private static String describe(HistoryEvent e) {
        String type = e.eventType() + (e.eventId() >= 0 ? "#" + e.eventId() : "");
        if (e instanceof HistoryEvent.ExecutionStarted s) return type + "(" + s.name() + ")";
        if (e instanceof HistoryEvent.TaskScheduled s) return type + "(" + s.name() + ")";
        if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated s) return type + "(" + s.name() + ")";
        if (e instanceof HistoryEvent.EventRaised r) return type + "(" + r.name() + ")";
        if (e instanceof HistoryEvent.ExecutionCompleted c) return type + "(" + c.status() + ")";
        return type;
    }
}

package dev.taskhub.client;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.spi.InstanceState;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The status of an orchestration instance, as Durable Functions reports it. Payloads are kept as JSON text; read them
 * as Java values with {@link #readInputAs}, {@link #readOutputAs} and {@link #readCustomStatusAs}.
 *
 * @param state   the stored state (input/output null when not requested)
 * @param history the history when requested, else null
 */
public record OrchestrationMetadata(InstanceState state, List<HistoryEvent> history) {
    public String instanceId() { return state.instanceId(); }

    public String name() { return state.name(); }

    public RuntimeStatus runtimeStatus() { return state.status(); }

    public Instant createdAt() { return state.createdAt(); }

    public Instant lastUpdatedAt() { return state.lastUpdatedAt(); }

    public String serializedInput() { return state.input(); }

    public String serializedOutput() { return state.output(); }

    public String serializedCustomStatus() { return state.customStatus(); }

    public Optional<FailureDetails> failureDetails() { return Optional.ofNullable(state.failureDetails()); }

    public Optional<List<HistoryEvent>> historyEvents() { return Optional.ofNullable(history); }

    public boolean isCompleted() { return state.status().isTerminal(); }

    public boolean isRunning() { return state.status() == RuntimeStatus.RUNNING; }

    public <T> T readInputAs(Class<T> type) { return JsonDataConverter.DEFAULT.deserialize(state.input(), type); }

    public <T> T readOutputAs(Class<T> type) { return JsonDataConverter.DEFAULT.deserialize(state.output(), type); }

    public <T> T readCustomStatusAs(Class<T> type) { return JsonDataConverter.DEFAULT.deserialize(state.customStatus(), type); }
}

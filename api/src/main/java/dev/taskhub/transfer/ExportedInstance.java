package dev.taskhub.transfer;

import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.InstanceState;

import java.util.List;
import java.util.Objects;

/** One line of an export: an instance's stored state and the full history of its current execution. */
record ExportedInstance(InstanceState state, List<HistoryEvent> history) {
    ExportedInstance {
        Objects.requireNonNull(state, "state");
        history = List.copyOf(history);
    }
}

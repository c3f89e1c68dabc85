package dev.taskhub.orchestration;

import dev.taskhub.TaskhubException;

/**
 * The orchestrator asked for a different action than its history records: the code changed while instances were
 * running, or it is not deterministic. The instance fails with this as its failure type.
 */
public final class NonDeterministicOrchestrationException extends TaskhubException {
    public NonDeterministicOrchestrationException(String message) {
        super(message);
    }
}

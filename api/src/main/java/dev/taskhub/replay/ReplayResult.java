package dev.taskhub.replay;

import java.util.Optional;

/**
 * The outcome of replaying one instance's history.
 *
 * @param instanceId     the instance
 * @param orchestrator   the orchestrator its history started, or null when the history has no start yet
 * @param nonDeterminism the first change the code makes to the history, if any
 */
public record ReplayResult(String instanceId, String orchestrator, Optional<NonDeterminism> nonDeterminism) {
    public ReplayResult {
        nonDeterminism = nonDeterminism == null ? Optional.empty() : nonDeterminism;
    }

    /** True when the code replays the history exactly. */
    public boolean isDeterministic() {
        return nonDeterminism.isEmpty();
    }
}

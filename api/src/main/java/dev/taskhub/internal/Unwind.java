package dev.taskhub.internal;

/**
 * Ends the orchestrator's stack at an await that cannot complete in this episode, at continue-as-new, or at a
 * non-determinism. An {@link Error} so that user code catching {@link Exception} does not swallow it; without a stack
 * trace because it is thrown on the hot path.
 */
final class Unwind extends Error {
    static final Unwind BLOCKED = new Unwind("orchestrator is waiting");
    static final Unwind CONTINUED_AS_NEW = new Unwind("orchestrator continued as new");
    static final Unwind NON_DETERMINISM = new Unwind("orchestrator is not deterministic");

    private Unwind(String message) {
        super(message, null, false, false);
    }
}

package dev.taskhub.internal;

import dev.taskhub.orchestration.Task;

import java.util.ArrayList;
import java.util.List;

/** A task of one replay: completed by history events (or by other tasks), awaited by orchestrator code. */
final class TaskImpl<T> implements Task<T> {
    private final ReplayContext context;
    private final Class<T> type;
    final String name;
    private boolean done;
    private T value;
    private RuntimeException failure;
    private List<Runnable> continuations;

    TaskImpl(ReplayContext context, String name, Class<T> type) {
        this.context = context;
        this.name = name;
        this.type = type;
    }

    @Override
    public T await() {
        while (!done) {
            if (!context.processNextEvent()) {
                throw Unwind.BLOCKED;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return value;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public boolean isFailed() {
        return done && failure != null;
    }

    T value() {
        return value;
    }

    RuntimeException failure() {
        return failure;
    }

    void completeJson(String json) {
        T result;
        try {
            result = context.converter().deserialize(json, type);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        complete(result);
    }

    void complete(T result) {
        if (done) {
            return;
        }
        done = true;
        value = result;
        runContinuations();
    }

    void fail(RuntimeException error) {
        if (done) {
            return;
        }
        done = true;
        failure = error;
        runContinuations();
    }

    /** Runs {@code action} when this task is done (at once if it already is). */
    void onDone(Runnable action) {
        if (done) {
            action.run();
            return;
        }
        if (continuations == null) {
            continuations = new ArrayList<>(2);
        }
        continuations.add(action);
    }

    private void runContinuations() {
        if (continuations != null) {
            List<Runnable> toRun = continuations;
            continuations = null;
            toRun.forEach(Runnable::run);
        }
    }
}

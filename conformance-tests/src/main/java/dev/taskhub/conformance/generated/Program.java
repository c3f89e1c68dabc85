package dev.taskhub.conformance.generated;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A generated orchestration program with the outside actions applied to its run.
 *
 * @param steps       the top-level steps, run in order
 * @param actions     what the harness does to the run (see {@link Actions})
 */
public record Program(List<Step> steps, Actions actions) {
    static final ObjectMapper JSON = new ObjectMapper();

    public Program {
        steps = List.copyOf(steps);
    }

    /**
     * Outside actions of a run.
     *
     * @param scheduledStartMillis start the root this much in the future (0: at once)
     * @param suspendResume        suspend and resume the root once while it runs
     * @param rewindOnFailure      rewind the root (once) when it fails
     * @param restart              after the run, restart the root under a new id and check that run as well
     * @param recursiveTerminate   terminate a blocked root recursively (else the root, then each blocked child)
     * @param purge                purge every instance of the run at the end
     * @param raiseToFinished      raise an event to the finished root (must be refused clearly)
     */
    public record Actions(int scheduledStartMillis, boolean suspendResume, boolean rewindOnFailure, boolean restart,
                          boolean recursiveTerminate, boolean purge, boolean raiseToFinished) {
        public static final Actions NONE = new Actions(0, false, false, false, true, false, false);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Program fromJson(String json) {
        try {
            return JSON.readValue(json, Program.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Not a generated program: " + e.getOriginalMessage(), e);
        }
    }

    /** Number of steps in the tree (a size for shrinking and reports). */
    public int size() {
        int[] n = {0};
        walk(steps, s -> n[0]++);
        return n[0];
    }

    static void walk(List<Step> steps, Consumer<Step> visitor) {
        for (Step s : steps) {
            visitor.accept(s);
            if (s instanceof Step.SubOrchestration sub) {
                walk(sub.steps(), visitor);
            } else if (s instanceof Step.AllOf all) {
                walk(all.branches(), visitor);
            } else if (s instanceof Step.AnyOf any) {
                walk(any.branches(), visitor);
            } else if (s instanceof Step.TryCatch t) {
                walk(t.body(), visitor);
            }
        }
    }

    List<Step> allSteps() {
        List<Step> out = new ArrayList<>();
        walk(steps, out::add);
        return out;
    }
}

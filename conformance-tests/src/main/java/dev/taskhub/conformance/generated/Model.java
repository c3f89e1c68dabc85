package dev.taskhub.conformance.generated;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.taskhub.conformance.generated.ProgramOrchestrator.activityKey;
import static dev.taskhub.conformance.generated.ProgramOrchestrator.childId;
import static dev.taskhub.conformance.generated.ProgramOrchestrator.compensationKey;
import static dev.taskhub.conformance.generated.ProgramOrchestrator.eventName;

/**
 * The reference model: a plain interpreter of a program that computes, for a root instance id and the run's outside
 * actions, every instance's expected final status, output and custom status, how many successful executions each
 * activity must have, and which events the harness raises. Rewind follows docs/managing-instances.md §10: activities
 * (and sub-orchestrations) called before the first failure that succeeded are not run again; everything else is.
 */
final class Model {
    enum Status { COMPLETED, FAILED, BLOCKED }

    /** An event the harness raises: before the start (top level), or once the instance exists. */
    record Raise(String instanceId, String name, String data, Step.EventPlan plan) {}

    /** The model's view of one instance. */
    static final class Inst {
        final String id;
        final List<Step> steps;
        int generation;
        List<Object> carried = List.of();
        Status status;
        Object output;
        String customStatus;
        boolean failureSeen;
        final Set<String> memo = new HashSet<>();
        final Map<String, Object> memoValues = new HashMap<>();
        final Set<String> childrenBeforeFailure = new HashSet<>();

        Inst(String id, List<Step> steps) {
            this.id = id;
            this.steps = steps;
        }
    }

    /** Expected state at the end of a phase (before a rewind, or at the end). */
    record Phase(Status rootStatus, Map<String, Integer> successes) {}

    private static final class Failure extends RuntimeException {
        Failure() {
            super(null, null, false, false);
        }
    }

    private static final class Blocked extends RuntimeException {
        Blocked() {
            super(null, null, false, false);
        }
    }

    final Map<String, Integer> attempts = new HashMap<>();
    final Map<String, Integer> successes = new LinkedHashMap<>();
    final Map<String, Inst> instances = new LinkedHashMap<>();
    final Set<Raise> raises = new LinkedHashSet<>();
    final List<Phase> phases = new ArrayList<>();
    Integer siblingGeneration;
    boolean restartedChildWithEvents;
    final Inst root;

    private Model(String rootId, Program program) {
        root = new Inst(rootId, program.steps());
        instances.put(rootId, root);
    }

    /** Runs the model for the program's root and its outside actions (a rewind when it fails, if planned). */
    static Model run(Program program, String rootId) {
        return run(program, rootId, 0, List.of());
    }

    /** The same, for a root that starts at a later generation with carried values (a restart after continue-as-new). */
    static Model run(Program program, String rootId, int generation, List<Object> carried) {
        Model m = run(program, rootId, generation, carried, program.actions().rewindOnFailure());
        if (m.restartedChildWithEvents) {
            // the rewind would start a finished child over, and it would wait again for events already consumed:
            // not a determined outcome, so this run does without the rewind
            m = run(program, rootId, generation, carried, false);
        }
        return m;
    }

    private static Model run(Program program, String rootId, int generation, List<Object> carried, boolean rewind) {
        Model m = new Model(rootId, program);
        m.root.generation = generation;
        m.root.carried = carried;
        m.runInstance(m.root, true);
        m.phases.add(new Phase(m.root.status, new HashMap<>(m.successes)));
        if (m.root.status == Status.FAILED && rewind) {
            m.rewind(m.root, true);
            m.phases.add(new Phase(m.root.status, new HashMap<>(m.successes)));
        }
        return m;
    }

    boolean hasRewind() {
        return phases.size() > 1;
    }

    private void rewind(Inst inst, boolean topLevel) {
        inst.failureSeen = false;
        runGeneration(inst, topLevel);
    }

    private void runInstance(Inst inst, boolean topLevel) {
        runGeneration(inst, topLevel);
    }

    private void runGeneration(Inst inst, boolean topLevel) {
        while (true) {
            List<Object> values = new ArrayList<>(inst.carried);
            try {
                boolean continued = false;
                for (Step step : inst.steps) {
                    if (step instanceof Step.ContinueAsNew can) {
                        if (inst.generation < can.generations()) {
                            inst.generation++;
                            inst.carried = values;
                            inst.memo.clear();
                            inst.memoValues.clear();
                            inst.childrenBeforeFailure.clear();
                            inst.failureSeen = false;
                            inst.customStatus = null;   // a new execution starts without a custom status
                            continued = true;
                            break;
                        }
                        values.add("done");
                    } else {
                        values.add(exec(inst, step, topLevel));
                    }
                }
                if (continued) {
                    continue;
                }
                inst.status = Status.COMPLETED;
                inst.output = values;
            } catch (Failure f) {
                inst.status = Status.FAILED;
                inst.output = null;
            } catch (Blocked b) {
                inst.status = Status.BLOCKED;
                inst.output = null;
            }
            return;
        }
    }

    private Object exec(Inst inst, Step step, boolean topLevel) {
        if (step instanceof Step.TryCatch tc) {
            try {
                List<Object> values = new ArrayList<>();
                for (Step s : tc.body()) {
                    values.add(exec(inst, s, topLevel));
                }
                return values;
            } catch (Failure f) {
                activity(inst, compensationKey(tc.id(), inst.generation), 0, 0, "c" + tc.id(), !inst.failureSeen);
                if (tc.rethrow()) {
                    throw f;
                }
                return "caught";
            }
        }
        if (step instanceof Step.SetStatus s) {
            inst.customStatus = s.status();
            return "s" + s.id();
        }
        if (step instanceof Step.SendEvent) {
            if (siblingGeneration == null) {
                siblingGeneration = inst.generation;
            }
            return "sent";
        }
        if (step instanceof Step.AllOf all) {
            boolean before = !inst.failureSeen;
            List<Object> values = new ArrayList<>();
            boolean blocked = false;
            Failure failure = null;
            for (Step branch : all.branches()) {
                try {
                    values.add(primitive(inst, branch, before, topLevel));
                } catch (Blocked b) {
                    blocked = true;
                } catch (Failure f) {
                    failure = failure == null ? f : failure;
                }
            }
            if (blocked) {
                throw new Blocked();
            }
            if (failure != null) {
                throw failure;
            }
            return values;
        }
        if (step instanceof Step.AnyOf any) {
            boolean before = !inst.failureSeen;
            for (Step branch : any.branches()) {
                primitive(inst, branch, before, topLevel);
            }
            return "any";
        }
        return primitive(inst, step, !inst.failureSeen, topLevel);
    }

    private Object primitive(Inst inst, Step step, boolean before, boolean topLevel) {
        int gen = inst.generation;
        if (step instanceof Step.Activity a) {
            return activity(inst, activityKey(a.id(), gen), a.failFirst(), a.retryAttempts(), "a" + a.id(), before);
        }
        if (step instanceof Step.Timer t) {
            return "t" + t.id();
        }
        if (step instanceof Step.WaitEvent w) {
            String name = eventName(w.id(), gen);
            inst.customStatus = "waiting:" + name;
            if (w.plan() != Step.EventPlan.NONE) {
                raises.add(new Raise(inst.id, name, name + "#1", w.plan()));
                if (w.duplicate()) {
                    raises.add(new Raise(inst.id, name, name + "#2", w.plan()));
                }
                return name + "#1";
            }
            if (w.timeoutMillis() != null) {
                return "timeout";
            }
            throw new Blocked();
        }
        if (step instanceof Step.SubOrchestration sub) {
            String id = childId(inst.id, sub.id(), gen);
            if (inst.memo.contains(id)) {
                return inst.memoValues.get(id);
            }
            Inst child = instances.get(id);
            if (child != null && child.status == Status.FAILED && inst.childrenBeforeFailure.contains(id)) {
                rewind(child, false);                 // rewound in place
            } else if (child != null && child.status == Status.BLOCKED && inst.childrenBeforeFailure.contains(id)) {
                throw new Blocked();                  // still running: ignores the rewind
            } else {
                if (child != null && sub.steps().stream().anyMatch(Model::waitsForRaisedEvent)) {
                    restartedChildWithEvents = true;
                }
                child = new Inst(id, sub.steps());    // new, or started over under the same id
                instances.put(id, child);
                runInstance(child, false);
            }
            if (before) {
                inst.childrenBeforeFailure.add(id);
            }
            switch (child.status) {
                case COMPLETED -> {
                    if (before) {
                        inst.memo.add(id);
                        inst.memoValues.put(id, child.output);
                    }
                    return child.output;
                }
                case FAILED -> {
                    inst.failureSeen = true;
                    throw new Failure();
                }
                default -> throw new Blocked();
            }
        }
        throw new IllegalArgumentException("not a primitive step: " + step);
    }

    private static boolean waitsForRaisedEvent(Step step) {
        boolean[] found = {false};
        Program.walk(List.of(step), s -> found[0] |= s instanceof Step.WaitEvent w && w.plan() != Step.EventPlan.NONE);
        return found[0];
    }

    private Object activity(Inst inst, String key, int failFirst, int retryAttempts, String value, boolean before) {
        String ledgerKey = Ledger.key(inst.id, key);
        if (inst.memo.contains(ledgerKey)) {
            return value;
        }
        int max = retryAttempts == 0 ? 1 : retryAttempts;
        for (int attempt = 1; attempt <= max; attempt++) {
            int n = attempts.merge(ledgerKey, 1, Integer::sum);
            if (n > failFirst) {
                successes.merge(ledgerKey, 1, Integer::sum);
                if (before && attempt == 1) {
                    inst.memo.add(ledgerKey);
                }
                return value;
            }
            inst.failureSeen = true;
        }
        throw new Failure();
    }
}

package dev.taskhub.conformance.generated;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of programs and their outside actions, and the shrinker that simplifies a failing one. The same
 * seed always gives the same program.
 */
final class Generator {
    private final Random random;
    private int nextId = 1;

    private Generator(long seed) {
        this.random = new Random(seed);
    }

    static Program generate(long seed) {
        return new Generator(seed).program();
    }

    private Program program() {
        List<Step> steps = new ArrayList<>();
        int n = 1 + random.nextInt(5);
        for (int i = 0; i < n; i++) {
            steps.add(step(0, true));
        }
        if (random.nextInt(8) == 0) {
            steps.add(1 + random.nextInt(steps.size()) - 1, new Step.SendEvent(nextId++));
        }
        if (random.nextInt(6) == 0) {
            steps.add(new Step.ContinueAsNew(nextId++, 1 + random.nextInt(2)));
        }
        boolean sends = steps.stream().anyMatch(Step.SendEvent.class::isInstance);
        Program.Actions actions = new Program.Actions(
                random.nextInt(7) == 0 ? 100 + random.nextInt(300) : 0,
                random.nextInt(5) == 0,
                random.nextBoolean(),
                !sends && random.nextInt(10) == 0,
                random.nextBoolean(),
                random.nextBoolean(),
                random.nextInt(3) == 0);
        return new Program(steps, actions);
    }

    private Step step(int depth, boolean topLevel) {
        int kind = random.nextInt(depth >= 2 ? 5 : 8);
        return switch (kind) {
            case 0, 1 -> activity(true);
            case 2 -> timer();
            case 3 -> waitEvent(topLevel, false);
            case 4 -> new Step.SetStatus(nextId++, "st" + nextId);
            case 5 -> allOf(depth);
            case 6 -> random.nextBoolean() ? anyOf() : sub(depth);
            default -> tryCatch(depth, topLevel);
        };
    }

    private Step.Activity activity(boolean mayFail) {
        int failFirst = mayFail && random.nextInt(10) < 3 ? 1 + random.nextInt(2) : 0;
        int retry = random.nextInt(3) == 0 ? 2 + random.nextInt(2) : 0;
        return new Step.Activity(nextId++, failFirst, retry);
    }

    private Step.Timer timer() {
        return new Step.Timer(nextId++, 10 + random.nextInt(50));
    }

    private Step.WaitEvent waitEvent(boolean topLevel, boolean inParallel) {
        int id = nextId++;
        int r = random.nextInt(10);
        if (r == 0) {
            return new Step.WaitEvent(id, null, Step.EventPlan.NONE, false);          // waits forever
        }
        if (r <= 3 && !inParallel) {
            boolean before = topLevel && random.nextBoolean();
            // an event raised before the wait must win against its timeout even when faults delay its delivery
            int timeout = before ? 4_000 + random.nextInt(1_000) : 100 + random.nextInt(200);
            return new Step.WaitEvent(id, timeout, before ? Step.EventPlan.BEFORE : Step.EventPlan.NONE,
                    before && random.nextBoolean());
        }
        Step.EventPlan plan = topLevel && random.nextBoolean() ? Step.EventPlan.BEFORE : Step.EventPlan.WHILE;
        return new Step.WaitEvent(id, null, plan, random.nextInt(3) == 0);
    }

    private Step allOf(int depth) {
        int id = nextId++;
        List<Step> branches = new ArrayList<>();
        int n = 2 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(depth >= 1 ? 3 : 4);
            branches.add(switch (k) {
                case 0 -> activity(true);
                case 1 -> timer();
                case 2 -> waitEvent(false, true);
                default -> sub(depth);
            });
        }
        return new Step.AllOf(id, branches);
    }

    private Step anyOf() {
        int id = nextId++;
        List<Step> branches = new ArrayList<>();
        int n = 2 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            branches.add(random.nextBoolean() ? activity(false) : timer());
        }
        return new Step.AnyOf(id, branches);
    }

    private Step sub(int depth) {
        int id = nextId++;
        List<Step> steps = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            steps.add(step(depth + 1, false));
        }
        return new Step.SubOrchestration(id, steps);
    }

    private Step tryCatch(int depth, boolean topLevel) {
        int id = nextId++;
        List<Step> body = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            body.add(step(depth + 1, topLevel));
        }
        return new Step.TryCatch(id, body, random.nextBoolean());
    }

    // ---- shrinking ------------------------------------------------------------------------------------------------

    /** Simpler variants of a program, smallest changes first: fewer actions, removed steps, flattened subtrees. */
    static List<Program> shrinkCandidates(Program p) {
        List<Program> out = new ArrayList<>();
        Program.Actions a = p.actions();
        if (!a.equals(Program.Actions.NONE)) {
            out.add(new Program(p.steps(), Program.Actions.NONE));
            if (a.scheduledStartMillis() > 0) out.add(new Program(p.steps(), new Program.Actions(0, a.suspendResume(), a.rewindOnFailure(), a.restart(), a.recursiveTerminate(), a.purge(), a.raiseToFinished())));
            if (a.suspendResume()) out.add(new Program(p.steps(), new Program.Actions(a.scheduledStartMillis(), false, a.rewindOnFailure(), a.restart(), a.recursiveTerminate(), a.purge(), a.raiseToFinished())));
            if (a.restart()) out.add(new Program(p.steps(), new Program.Actions(a.scheduledStartMillis(), a.suspendResume(), a.rewindOnFailure(), false, a.recursiveTerminate(), a.purge(), a.raiseToFinished())));
            if (a.purge()) out.add(new Program(p.steps(), new Program.Actions(a.scheduledStartMillis(), a.suspendResume(), a.rewindOnFailure(), a.restart(), a.recursiveTerminate(), false, a.raiseToFinished())));
        }
        for (List<Step> steps : shrinkList(p.steps(), true)) {
            out.add(new Program(steps, p.actions()));
        }
        return out;
    }

    private static List<List<Step>> shrinkList(List<Step> steps, boolean topLevel) {
        List<List<Step>> out = new ArrayList<>();
        if (steps.size() > 1) {
            for (int i = 0; i < steps.size(); i++) {
                List<Step> fewer = new ArrayList<>(steps);
                fewer.remove(i);
                out.add(fewer);
            }
        }
        for (int i = 0; i < steps.size(); i++) {
            for (Step simpler : shrinkStep(steps.get(i), topLevel)) {
                List<Step> copy = new ArrayList<>(steps);
                copy.set(i, simpler);
                out.add(copy);
            }
        }
        return out;
    }

    private static List<Step> shrinkStep(Step s, boolean topLevel) {
        List<Step> out = new ArrayList<>();
        if (s instanceof Step.SubOrchestration sub) {
            if (topLevel || sub.steps().stream().allMatch(Generator::nestable)) {
                out.addAll(sub.steps().size() == 1 && nestable(sub.steps().get(0)) ? List.of(sub.steps().get(0)) : List.of());
            }
            shrinkList(sub.steps(), false).forEach(l -> out.add(new Step.SubOrchestration(sub.id(), l)));
        } else if (s instanceof Step.AllOf all) {
            all.branches().stream().filter(b -> topLevel || nestable(b)).forEach(out::add);
            if (all.branches().size() > 1) {
                for (int i = 0; i < all.branches().size(); i++) {
                    List<Step> fewer = new ArrayList<>(all.branches());
                    fewer.remove(i);
                    out.add(new Step.AllOf(all.id(), fewer));
                }
            }
            for (int i = 0; i < all.branches().size(); i++) {
                for (Step simpler : shrinkStep(all.branches().get(i), false)) {
                    if (!parallelBranch(simpler)) {
                        continue;
                    }
                    List<Step> copy = new ArrayList<>(all.branches());
                    copy.set(i, simpler);
                    out.add(new Step.AllOf(all.id(), copy));
                }
            }
        } else if (s instanceof Step.AnyOf any) {
            out.addAll(any.branches());
        } else if (s instanceof Step.TryCatch tc) {
            if (tc.body().stream().allMatch(b -> topLevel || nestable(b))) {
                out.addAll(tc.body());
            }
            if (!tc.rethrow()) {
                out.add(new Step.TryCatch(tc.id(), tc.body(), true));
            }
            shrinkList(tc.body(), topLevel).forEach(l -> out.add(new Step.TryCatch(tc.id(), l, tc.rethrow())));
        } else if (s instanceof Step.Activity a) {
            if (a.retryAttempts() > 0) out.add(new Step.Activity(a.id(), a.failFirst(), 0));
            if (a.failFirst() > 0) out.add(new Step.Activity(a.id(), a.failFirst() - 1, a.retryAttempts()));
        } else if (s instanceof Step.WaitEvent w) {
            if (w.duplicate()) out.add(new Step.WaitEvent(w.id(), w.timeoutMillis(), w.plan(), false));
        } else if (s instanceof Step.ContinueAsNew can && can.generations() > 1) {
            out.add(new Step.ContinueAsNew(can.id(), 1));
        }
        return out;
    }

    /** Whether a step may be a branch of {@code allOf}. */
    private static boolean parallelBranch(Step s) {
        return s instanceof Step.Activity || s instanceof Step.Timer || s instanceof Step.SubOrchestration
                || (s instanceof Step.WaitEvent w && w.timeoutMillis() == null && w.plan() != Step.EventPlan.BEFORE);
    }

    /** Whether a step may appear below the top level (a BEFORE wait may not). */
    private static boolean nestable(Step s) {
        return !(s instanceof Step.WaitEvent w && w.plan() == Step.EventPlan.BEFORE)
                && !(s instanceof Step.SendEvent) && !(s instanceof Step.ContinueAsNew);
    }
}

package dev.taskhub.conformance.generated;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.worker.HistoryReplayer;
import dev.taskhub.worker.TaskRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Runs one generated program against a live worker, applies its outside actions at the points the model makes
 * deterministic, and checks the invariants. Collects violations instead of throwing, so a batch reports all of them.
 */
final class ProgramRun {
    static final Duration DEADLINE = Duration.ofSeconds(60);
    /** Past the deadline, a wait goes on while the hub makes progress, up to this many deadlines. */
    static final int SLOW_FACTOR = 5;
    /** Past the deadline, a wait ends once no worker has committed anything for this long. */
    static final Duration IDLE_WINDOW = Duration.ofSeconds(15);
    private Duration deadline = DEADLINE;
    private static final TaskRegistry REPLAY_REGISTRY = ProgramOrchestrator.register(new TaskRegistry());

    private final TaskHubClient client;
    private final FaultyProvider.Stats stats;
    final List<String> violations = new ArrayList<>();
    int actions;
    int faultReruns;
    /** A crash re-ran an activity that fails its first attempts, which makes the outcome unpredictable. */
    boolean unchecked;
    private String rootPrefix = "";
    final Set<String> survivingInstances = new LinkedHashSet<>();

    ProgramRun(TaskHubClient client, FaultyProvider.Stats stats) {
        this.client = client;
        this.stats = stats;
    }

    /** A shorter bound for each wait (shrinking tries many candidates). */
    ProgramRun deadline(Duration value) {
        this.deadline = value;
        return this;
    }

    /** Runs the program under {@code rootId} (and its restart, when planned); returns this run with its violations. */
    ProgramRun execute(Program program, String rootId) {
        rootPrefix = rootId;
        try {
            Model model = Model.run(program, rootId);
            Program.Actions a = program.actions();
            boolean restart = a.restart() && !program.steps().stream().anyMatch(Step.SendEvent.class::isInstance);
            Program first = restart ? new Program(program.steps(), new Program.Actions(a.scheduledStartMillis(), a.suspendResume(),
                    a.rewindOnFailure(), true, a.recursiveTerminate(), false, a.raiseToFinished())) : program;
            boolean ok = runOnce(first, model, rootId, null);
            if (ok && restart) {
                actions++;
                // a restart starts again with the latest input: the last generation's, after continue-as-new
                Program again = new Program(program.steps(), new Program.Actions(0, false, false, false, true, a.purge(), false));
                String newId = client.restart(rootId, true);
                runOnce(again, Model.run(again, newId, model.root.generation, model.root.carried), newId, newId);
            }
        } catch (RuntimeException | AssertionError e) {
            violations.add("harness error: " + e);
        }
        if (!violations.isEmpty() && stats.nondeterministic.stream().anyMatch(k -> k.startsWith(rootIdOf(k, violations)))) {
            unchecked = true;
        }
        return this;
    }

    private boolean runOnce(Program program, Model model, String rootId, String alreadyStarted) {
        Program.Actions act = program.actions();
        String siblingId = ProgramOrchestrator.siblingId(rootId);
        boolean sends = program.steps().stream().anyMatch(Step.SendEvent.class::isInstance);
        Instant startAt = null;
        if (sends) {
            client.scheduleNewOrchestrationInstance(ProgramOrchestrator.SIBLING, null, NewOrchestrationOptions.withInstanceId(siblingId));
        }
        if (alreadyStarted == null) {
            NewOrchestrationOptions options = NewOrchestrationOptions.withInstanceId(rootId);
            if (act.scheduledStartMillis() > 0) {
                startAt = Instant.now().plusMillis(act.scheduledStartMillis());
                options = options.withStartAt(startAt);
                actions++;
            }
            client.scheduleNewOrchestrationInstance(ProgramOrchestrator.ORCHESTRATOR,
                    new ProgramOrchestrator.RunInput(program.steps(), 0, List.of()), options);
        }
        List<Model.Raise> pending = new ArrayList<>();
        for (Model.Raise r : model.raises) {
            if (r.plan() == Step.EventPlan.BEFORE) {
                try {
                    client.raiseEvent(r.instanceId(), r.name(), r.data());
                    actions++;
                } catch (InvalidInstanceStateException finishedEarly) {
                    pending.add(r);   // failed before it needed the event: raise it once a rewind makes it run again
                }
            } else {
                pending.add(r);
            }
        }
        Ticker ticker = new Ticker(rootId, pending, act.suspendResume());

        for (int phase = 0; phase < model.phases.size(); phase++) {
            Model.Phase ph = model.phases.get(phase);
            boolean last = phase == model.phases.size() - 1;
            if (ph.rootStatus() == Model.Status.BLOCKED) {
                String expectedStatus = model.root.customStatus;
                List<String> blockedChildren = blockedChildren(model);
                List<String> finishingChildren = model.instances.values().stream()
                        .filter(i -> i != model.root && i.status != Model.Status.BLOCKED).map(i -> i.id).toList();
                boolean reached = poll(ticker, () -> {
                    Optional<InstanceState> s = client.provider().getInstance(rootId);
                    return s.isPresent() && !s.get().status().isTerminal() && s.get().status() != RuntimeStatus.SUSPENDED
                            && countsReached(ph.successes()) && jsonEquals(s.get().customStatus(), expectedStatus)
                            // each blocked child at its blocking wait too (its custom status is the model's), not
                            // still on its way there: terminate stops it wherever it is
                            && blockedChildren.stream().allMatch(c -> client.provider().getInstance(c)
                                    .map(cs -> cs.status() == RuntimeStatus.RUNNING
                                            && jsonEquals(cs.customStatus(), model.instances.get(c).customStatus)).orElse(false))
                            && finishingChildren.stream().allMatch(c -> client.provider().getInstance(c)
                                    .map(cs -> cs.status().isTerminal()).orElse(false));
                });
                if (!reached) {
                    return fail("root " + rootId + " never reached its blocking wait: " + describe(rootId) + " counts " + counts(ph.successes()));
                }
                actions++;
                client.terminate(rootId, "blocked for good", act.recursiveTerminate());
                if (!act.recursiveTerminate()) {
                    for (String child : blockedChildren) {
                        if (!poll(ticker, () -> client.provider().getInstance(rootId).map(s -> s.status().isTerminal()).orElse(false))) {
                            return fail("root " + rootId + " not terminated: " + describe(rootId));
                        }
                        actions++;
                        client.terminate(child, "blocked for good", false);
                    }
                }
            }
            boolean terminal = poll(ticker, () -> client.provider().getInstance(rootId).map(s -> s.status().isTerminal()).orElse(false));
            if (!terminal) {
                return fail("root " + rootId + " did not finish (phase " + phase + "): " + describe(rootId) + describeChildren(model, rootId));
            }
            if (!last) {
                // a rewind follows: let every result of the failed execution arrive first
                RuntimeStatus status = client.provider().getInstance(rootId).orElseThrow().status();
                if (status != RuntimeStatus.FAILED) {
                    return fail("root " + rootId + " is " + status + ", the model expects FAILED before the rewind; " + describe(rootId));
                }
                if (!poll(ticker, () -> countsReached(ph.successes()) && model.instances.keySet().stream().allMatch(this::noOutstandingActivities))) {
                    return fail("activities of failed " + rootId + " did not settle: " + counts(ph.successes()));
                }
                actions++;
                String failedExecution = client.provider().getInstance(rootId).orElseThrow().executionId();
                client.rewind(rootId, "generated rewind");
                // applied: running again, or the rewound execution continued as new (and may have failed again in the
                // next one, whose history starts afresh), or the history records the rewind and the status was written
                // by that episode or a later one (a provider may write history before the status, as Azure Storage does)
                if (!poll(ticker, () -> client.provider().getInstance(rootId)
                        .map(s -> !s.status().isTerminal() || !s.executionId().equals(failedExecution)
                                || rewoundBy(s, client.provider().getHistory(rootId)))
                        .orElse(false))) {
                    return fail("rewind of " + rootId + " was not applied: " + describe(rootId));
                }
            }
        }
        // instances left waiting under a finished root, and the sibling
        if (sends) {
            if (model.siblingGeneration == null) {
                actions++;
                client.terminate(siblingId, "never addressed", false);
            }
        }
        Set<String> all = new LinkedHashSet<>(model.instances.keySet());
        if (sends) {
            all.add(siblingId);
        }
        if (!poll(ticker, () -> all.stream().allMatch(id -> client.provider().getInstance(id).map(s -> s.status().isTerminal()).orElse(false)))) {
            for (String id : all) {
                violations.add("instance " + id + " did not reach a terminal state: " + describe(id));
            }
            return false;
        }
        ticker.finish();

        // final state = the model's
        for (Model.Inst inst : model.instances.values()) {
            InstanceState s = client.provider().getInstance(inst.id).orElseThrow();
            RuntimeStatus expected = switch (inst.status) {
                case COMPLETED -> RuntimeStatus.COMPLETED;
                case FAILED -> RuntimeStatus.FAILED;
                case BLOCKED -> RuntimeStatus.TERMINATED;
            };
            if (s.status() != expected) {
                violations.add("instance " + inst.id + " is " + s.status() + ", the model expects " + expected + "; " + describe(inst.id));
                continue;
            }
            if (expected == RuntimeStatus.COMPLETED && !jsonEquals(s.output(), toJson(inst.output))) {
                violations.add("instance " + inst.id + " output " + s.output() + ", the model expects " + toJson(inst.output));
            }
            if (!jsonEquals(s.customStatus(), inst.customStatus)) {
                violations.add("instance " + inst.id + " custom status " + s.customStatus() + ", the model expects " + inst.customStatus);
            }
        }
        if (sends) {
            InstanceState sib = client.provider().getInstance(siblingId).orElseThrow();
            if (model.siblingGeneration != null) {
                String data = ProgramOrchestrator.siblingData(rootId, model.siblingGeneration);
                if (sib.status() != RuntimeStatus.COMPLETED || !jsonEquals(sib.output(), data)) {
                    violations.add("sibling " + siblingId + " is " + sib.status() + " with " + sib.output() + ", expected COMPLETED with " + data);
                }
            } else if (sib.status() != RuntimeStatus.TERMINATED) {
                violations.add("sibling " + siblingId + " is " + sib.status() + ", expected TERMINATED (never addressed)");
            }
        }

        // activity executions: at least the model's, more only where a fault made a re-run unavoidable
        poll(null, () -> countsReached(model.successes));
        Set<String> keys = new java.util.TreeSet<>(model.successes.keySet());
        keys.addAll(Ledger.successKeys(all));
        for (String key : keys) {
            int expected = model.successes.getOrDefault(key, 0);
            int actual = Ledger.successes(key);
            int allowed = stats.allowance(key);
            if (actual < expected) {
                violations.add("activity " + key + " succeeded " + actual + " time(s), the model expects " + expected);
            } else if (actual > expected + allowed) {
                violations.add("activity " + key + " succeeded " + actual + " time(s), the model expects " + expected
                        + " and injected faults explain " + allowed + " more");
            } else {
                faultReruns += actual - expected;
            }
        }

        // histories: nothing applied twice, timers never early, start not early, replay deterministic
        for (String id : all) {
            List<HistoryEvent> history = client.provider().getHistory(id);
            checkHistory(id, history);
            checkReplay(id, client.provider().getInstance(id).orElseThrow(), history);
        }
        if (startAt != null) {
            Instant start = startAt;
            List<HistoryEvent> history = client.provider().getHistory(rootId);
            boolean continued = program.steps().stream().anyMatch(Step.ContinueAsNew.class::isInstance);
            history.stream().filter(HistoryEvent.ExecutionStarted.class::isInstance).findFirst().ifPresent(started -> {
                if (!continued && started.timestamp().isBefore(start)) {
                    violations.add("root " + rootId + " started at " + started.timestamp() + ", before its scheduled start " + start);
                }
            });
        }

        if (program.actions().raiseToFinished()) {
            actions++;
            try {
                client.raiseEvent(rootId, "late", "x");
                violations.add("raising an event to finished " + rootId + " was accepted");
            } catch (InvalidInstanceStateException expected) {
                // refused clearly
            }
        }
        if (program.actions().purge()) {
            for (String id : all) {
                actions++;
                long n = client.purgeInstance(id);
                if (n != 1 || client.getInstanceMetadata(id, false).isPresent() || !client.provider().getHistory(id).isEmpty()) {
                    violations.add("purge of " + id + " returned " + n + " and left " + client.getInstanceMetadata(id, false));
                }
            }
        } else {
            survivingInstances.addAll(all);
        }
        return violations.isEmpty();
    }

    private String rootIdOf(String key, List<String> ignored) {
        return rootPrefix;
    }

    private List<String> blockedChildren(Model model) {
        List<String> out = new ArrayList<>();
        for (Model.Inst i : model.instances.values()) {
            if (i != model.root && i.status == Model.Status.BLOCKED) {
                out.add(i.id);
            }
        }
        return out;
    }

    private boolean noOutstandingActivities(String instanceId) {
        Optional<InstanceState> s = client.provider().getInstance(instanceId);
        if (s.isEmpty() || s.get().status() != RuntimeStatus.FAILED) {
            return true;
        }
        Set<Integer> scheduled = new HashSet<>();
        Set<Integer> done = new HashSet<>();
        for (HistoryEvent e : client.provider().getHistory(instanceId)) {
            if (e instanceof HistoryEvent.TaskScheduled t) {
                scheduled.add(t.eventId());
            } else if (e instanceof HistoryEvent.TaskCompleted c) {
                done.add(c.taskScheduledId());
            } else if (e instanceof HistoryEvent.TaskFailed f) {
                done.add(f.taskScheduledId());
            }
        }
        return done.containsAll(scheduled);
    }

    private void checkHistory(String id, List<HistoryEvent> history) {
        Set<String> raised = new HashSet<>();
        Set<Integer> completions = new HashSet<>();
        Set<Integer> timers = new HashSet<>();
        for (int i = 0; i < history.size(); i++) {
            HistoryEvent e = history.get(i);
            if (e instanceof HistoryEvent.EventRaised r && r.messageId() != null && !raised.add(r.messageId())) {
                violations.add("instance " + id + ": event " + r.name() + " (message " + r.messageId() + ") applied twice");
            }
            int completed = e instanceof HistoryEvent.TaskCompleted c ? c.taskScheduledId()
                    : e instanceof HistoryEvent.TaskFailed f ? f.taskScheduledId()
                    : e instanceof HistoryEvent.SubOrchestrationInstanceCompleted sc ? sc.taskScheduledId()
                    : e instanceof HistoryEvent.SubOrchestrationInstanceFailed sf ? sf.taskScheduledId() : -1;
            if (completed >= 0 && !completions.add(completed)) {
                violations.add("instance " + id + ": the result of call " + completed + " was applied twice");
            }
            if (e instanceof HistoryEvent.TimerFired t && !dismissedEarlyFiring(history, i, t)) {
                if (!timers.add(t.timerId())) {
                    violations.add("instance " + id + ": timer " + t.timerId() + " fired twice");
                }
                if (t.timestamp().isBefore(t.fireAt())) {
                    violations.add("instance " + id + ": timer " + t.timerId() + " fired at " + t.timestamp() + ", before " + t.fireAt());
                }
            }
        }
    }

    /**
     * A firing recorded before its timer was (a crashed attempt of an episode sent the timer, and the repeat made it
     * again for a later time): replay does not apply it to the later timer, so it is not a firing of that timer.
     */
    private static boolean dismissedEarlyFiring(List<HistoryEvent> history, int index, HistoryEvent.TimerFired fired) {
        for (int j = index + 1; j < history.size(); j++) {
            if (history.get(j) instanceof HistoryEvent.TimerCreated created && created.eventId() == fired.timerId()) {
                return fired.fireAt().isBefore(created.fireAt());
            }
        }
        return false;
    }

    /**
     * Re-runs the orchestrator over the stored history, minus the event that finished it, with a probe event that
     * nothing waits for: it must decide nothing new and finish the same way.
     */
    private void checkReplay(String id, InstanceState state, List<HistoryEvent> history) {
        int cut = history.size();
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i) instanceof HistoryEvent.ExecutionCompleted) {
                cut = i;
                break;
            }
            if (history.get(i) instanceof HistoryEvent.ExecutionTerminated) {
                // the terminating episode records what arrived with the terminate without running the code (a child's
                // failure, say): replay up to that episode
                cut = i;
                while (cut > 0 && !(history.get(cut) instanceof HistoryEvent.OrchestratorStarted)) {
                    cut--;
                }
                break;
            }
        }
        List<HistoryEvent> prefix = history.subList(0, cut);
        if (prefix.isEmpty()) {
            return;
        }
        InstanceState running = state.toBuilder().status(RuntimeStatus.RUNNING).output(null).failureDetails(null)
                .build();
        String probeId = UUID.randomUUID().toString();
        TaskMessage probe = new TaskMessage(probeId, id, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "__replay_probe", null, probeId), null);
        OrchestrationWorkItem item = new OrchestrationWorkItem(id, "replay", Instant.now().plusSeconds(60), running,
                List.of(probe), 0, 1);
        Checkpoint c = new HistoryReplayer(REPLAY_REGISTRY, Clock.systemUTC(), 100).replay(item, prefix);
        List<String> decided = new ArrayList<>();
        for (HistoryEvent e : c.newEvents()) {
            if (e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.TimerCreated || e instanceof HistoryEvent.EventSent
                    || e instanceof HistoryEvent.SubOrchestrationInstanceCreated || e instanceof HistoryEvent.ContinueAsNew) {
                decided.add(e.getClass().getSimpleName());
            }
        }
        if (!c.activityRequests().isEmpty()) {
            decided.add(c.activityRequests().size() + " activity request(s)");
        }
        if (!decided.isEmpty()) {
            violations.add("instance " + id + ": replaying its stored history decided new actions " + decided);
        }
        RuntimeStatus replayed = c.state() == null ? RuntimeStatus.RUNNING : c.state().status();
        RuntimeStatus expected = state.status() == RuntimeStatus.TERMINATED ? RuntimeStatus.RUNNING : state.status();
        if (replayed != expected) {
            violations.add("instance " + id + ": replaying its stored history ends " + replayed + ", stored " + state.status());
        } else if (expected == RuntimeStatus.COMPLETED && !jsonEquals(c.state().output(), state.output())) {
            violations.add("instance " + id + ": replaying its stored history gives " + c.state().output() + ", stored " + state.output());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private boolean fail(String message) {
        violations.add(message);
        return false;
    }

    private static boolean countsReached(Map<String, Integer> expected) {
        return expected.entrySet().stream().allMatch(e -> Ledger.successes(e.getKey()) >= e.getValue());
    }

    private static String counts(Map<String, Integer> expected) {
        StringBuilder b = new StringBuilder("{");
        expected.forEach((k, v) -> b.append(k).append('=').append(Ledger.successes(k)).append('/').append(v).append(' '));
        return b.append('}').toString();
    }

    private String describe(String id) {
        try {
            Optional<InstanceState> s = client.provider().getInstance(id);
            if (s.isEmpty()) {
                return "(no instance)";
            }
            StringBuilder b = new StringBuilder(s.get().status() + " custom=" + s.get().customStatus() + " output=" + s.get().output()
                    + " failure=" + s.get().failureDetails() + " history=[");
            for (HistoryEvent e : client.provider().getHistory(id)) {
                b.append(e.getClass().getSimpleName()).append(e.eventId() >= 0 ? "#" + e.eventId() : "").append(' ');
            }
            return b.append(']').toString();
        } catch (RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The model's other instances as stored, for a root that did not finish (is it waiting for a stalled child?). */
    private String describeChildren(Model model, String rootId) {
        StringBuilder b = new StringBuilder();
        model.instances.keySet().stream().filter(id -> !id.equals(rootId)).sorted()
                .forEach(id -> b.append("\n    ").append(id).append(": ").append(describe(id)));
        return b.toString();
    }

    static String toJson(Object value) {
        try {
            return Program.JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares a stored JSON payload with a model value (a JSON string, or a plain string to be quoted). */
    static boolean jsonEquals(String storedJson, String expected) {
        if (storedJson == null || expected == null) {
            return storedJson == null && expected == null;
        }
        try {
            JsonNode actual = Program.JSON.readTree(storedJson);
            JsonNode want;
            try {
                want = Program.JSON.readTree(expected);
                if (want == null || want.isMissingNode() || (!want.isContainerNode() && !expected.startsWith("\""))) {
                    want = Program.JSON.getNodeFactory().textNode(expected);
                }
            } catch (Exception plain) {
                want = Program.JSON.getNodeFactory().textNode(expected);
            }
            return actual.equals(want);
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Polls until the condition holds. Gives up once the deadline has passed and the hub has been idle (no worker
     * committed anything) for {@link #IDLE_WINDOW}, or at {@link #SLOW_FACTOR} times the deadline: a lost message shows
     * as an instance that does not finish while the rest of the hub falls quiet, and a slow machine that still makes
     * progress is not mistaken for one.
     */
    private boolean poll(Ticker ticker, BooleanSupplier condition) {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        long cap = start + deadline.toNanos() * SLOW_FACTOR;
        while (true) {
            long now = System.nanoTime();
            if (now >= cap || (now >= end && stats.sinceProgress().compareTo(IDLE_WINDOW) >= 0)) {
                return false;
            }
            if (ticker != null) {
                ticker.tick();
            }
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException transientError) {
                // a crashed worker's provider may answer with an error for a moment; the deadline bounds it
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Raises pending events once their instance exists, and suspends/resumes the root once. */
    private final class Ticker {
        private final String rootId;
        private final List<Model.Raise> pending;
        private int suspendState;   // 0 none planned, 1 planned, 2 suspended, 3 done
        private int ticks;

        Ticker(String rootId, List<Model.Raise> pending, boolean suspendResume) {
            this.rootId = rootId;
            this.pending = new ArrayList<>(pending);
            this.suspendState = suspendResume ? 1 : 0;
        }

        void tick() {
            ticks++;
            for (var it = pending.iterator(); it.hasNext(); ) {
                Model.Raise r = it.next();
                // a duplicate goes after its first copy
                if (r.data().endsWith("#2") && pending.stream().anyMatch(o -> o.instanceId().equals(r.instanceId()) && o.name().equals(r.name()) && o != r)) {
                    continue;
                }
                try {
                    client.raiseEvent(r.instanceId(), r.name(), r.data());
                    actions++;
                    it.remove();
                } catch (InstanceNotFoundException | InvalidInstanceStateException notYet) {
                    // not created yet, or failed and waiting for its rewind: try again at the next tick
                }
            }
            try {
                if (suspendState == 1 && ticks >= 2) {
                    suspendState = 3;
                    client.suspend(rootId, "generated suspend");
                    actions++;
                    suspendState = 2;
                } else if (suspendState == 2 && ticks >= 5) {
                    // Resume only once the suspend took effect: resuming an instance that is not suspended does
                    // nothing, and a redelivered suspend (its work item abandoned, or its worker crashed) may reach
                    // the instance after a resume sent later (Azure Storage queues are not FIFO across deliveries).
                    Optional<InstanceState> s = client.provider().getInstance(rootId);
                    if (s.isEmpty() || s.get().status().isTerminal()) {
                        suspendState = 3;
                    } else if (s.get().status() == RuntimeStatus.SUSPENDED) {
                        suspendState = 3;
                        client.resume(rootId, "generated resume");
                        actions++;
                    }
                }
            } catch (InvalidInstanceStateException finished) {
                // already finished: nothing to suspend or resume
            }
        }

        void finish() {
            // a suspended instance can still be terminated; its resume is then refused, which is fine
        }
    }

    /** Whether {@code state} was written by the episode that applied a rewind recorded in {@code history}, or later. */
    private static boolean rewoundBy(InstanceState state, List<HistoryEvent> history) {
        return history.stream().filter(HistoryEvent.ExecutionRewound.class::isInstance)
                .anyMatch(e -> !state.lastUpdatedAt().isBefore(e.timestamp()));
    }

}

package dev.taskhub.internal;

import dev.taskhub.FailureDetails;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.history.HistoryEvent.EventRaised;
import dev.taskhub.history.HistoryEvent.ExecutionStarted;
import dev.taskhub.orchestration.NonDeterministicOrchestrationException;
import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.Task;
import dev.taskhub.orchestration.TaskCanceledException;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.spi.support.Times;
import org.slf4j.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One replay of an orchestrator over its past history plus this episode's new events. Events are consumed lazily:
 * an {@code await()} on an unfinished task processes the next event until the task is done or the events run out.
 */
final class ReplayContext implements OrchestrationContext {
    /** How the replay ended. */
    sealed interface Outcome {
        record Waiting() implements Outcome {}

        record Completed(String output) implements Outcome {}

        record Failed(FailureDetails details) implements Outcome {}

        record ContinuedAsNew(String input, boolean preserveUnprocessedEvents) implements Outcome {}
    }

    private final DataConverter converter;
    private final String instanceId;
    private final List<HistoryEvent> past;
    private final List<HistoryEvent> incoming;
    private int cursor;
    private boolean replaying;
    private Instant currentInstant;
    private ExecutionStarted started;
    private int sequence;
    private final List<int[]> sequenceJumps;
    private int nextJump;
    private int uuidCounter;
    private final LinkedHashMap<Integer, Action> unmatchedActions = new LinkedHashMap<>();
    private final Map<Integer, TaskImpl<?>> openTasks = new HashMap<>();
    /** Completions that came before their call was made (see {@link #answers}), by sequence number. */
    private Map<Integer, HistoryEvent> earlyCompletions;
    private final Map<String, ArrayDeque<TaskImpl<?>>> eventWaiters = new HashMap<>();
    private final List<EventRaised> bufferedEvents = new ArrayList<>();
    private String customStatus;
    private boolean customStatusSet;
    private String continueAsNewInput;
    private boolean preserveUnprocessedEvents;
    private String nonDeterminism;
    /** Runs this replay's local activities; null to schedule them as ordinary activities. */
    private final LocalRunner localRunner;
    /** Local activity calls made and not run yet, in call order. */
    private final List<LocalPending> pendingLocal = new ArrayList<>();

    /** Retry back-offs of local activities up to this are waited in the worker; longer ones use a durable timer. */
    static final Duration LOCAL_RETRY_THRESHOLD = Duration.ofSeconds(1);

    /** Runs a batch of local activity calls and returns their completion events, in order. */
    @FunctionalInterface
    interface LocalRunner {
        List<HistoryEvent> run(List<LocalActivities.Call> calls, Instant now);
    }

    private record LocalPending(LocalActivities.Call call, Action action, TaskImpl<?> task) {}

    ReplayContext(String instanceId, List<HistoryEvent> past, List<HistoryEvent> incoming) {
        this(instanceId, past, incoming, JsonDataConverter.DEFAULT, null);
    }

    ReplayContext(String instanceId, List<HistoryEvent> past, List<HistoryEvent> incoming, DataConverter converter) {
        this(instanceId, past, incoming, converter, null);
    }

    /**
     * @param incoming   this episode's new events; local activities append their events to it, so it must be mutable
     *                   when the orchestrator calls local activities
     * @param localRunner runs local activities; null to schedule them as ordinary activities
     */
    ReplayContext(String instanceId, List<HistoryEvent> past, List<HistoryEvent> incoming, DataConverter converter,
                  LocalRunner localRunner) {
        this.converter = converter;
        this.localRunner = localRunner;
        this.instanceId = instanceId;
        this.past = past;
        this.incoming = incoming;
        this.replaying = !past.isEmpty();
        this.sequenceJumps = Rewind.sequenceJumps(past, incoming);
    }

    DataConverter converter() {
        return converter;
    }

    /** Runs the orchestrator to its next await that cannot complete, or to its end. */
    Outcome run(Orchestrator<?> orchestrator) {
        while (started == null) {
            if (!processNextEvent()) {
                throw new IllegalStateException("History of '" + instanceId + "' has no ExecutionStarted event");
            }
        }
        try {
            Object result = orchestrator.run(this);
            // Walk the rest of the history so that recorded actions the code no longer makes are noticed.
            while (nonDeterminism == null && processNextEvent()) {
                // keep consuming
            }
            if (nonDeterminism != null) {
                return nonDeterminismFailure();
            }
            return new Outcome.Completed(converter.serialize(result));
        } catch (Unwind unwind) {
            if (nonDeterminism != null) {
                return nonDeterminismFailure();
            }
            if (unwind == Unwind.CONTINUED_AS_NEW) {
                drainForCarryOver();
                return new Outcome.ContinuedAsNew(continueAsNewInput, preserveUnprocessedEvents);
            }
            return new Outcome.Waiting();
        } catch (RuntimeException | Error e) {
            if (nonDeterminism != null) {
                return nonDeterminismFailure();
            }
            return new Outcome.Failed(FailureDetails.of(e));
        }
    }

    /** Consumes the events not yet seen so that external events among them are carried over to the new execution. */
    private void drainForCarryOver() {
        for (HistoryEvent event = nextEvent(); event != null; event = nextEvent()) {
            if (event instanceof EventRaised raised) {
                deliverEvent(raised);
            }
        }
    }

    private Outcome nonDeterminismFailure() {
        return new Outcome.Failed(new FailureDetails(NonDeterministicOrchestrationException.class.getName(), nonDeterminism, ""));
    }

    /** Actions this replay made that the history does not record yet, in the order they were made. */
    List<Action> newActions() {
        return new ArrayList<>(unmatchedActions.values());
    }

    ExecutionStarted started() {
        return started;
    }

    String customStatus() {
        return customStatus;
    }

    boolean customStatusSet() {
        return customStatusSet;
    }

    /** External events received but not consumed by a wait, in arrival order. */
    List<EventRaised> unprocessedEvents() {
        return bufferedEvents;
    }

    /**
     * Applies the next event; false when there is none left. When the events run out, the local activities called
     * meanwhile run, and their events are appended to this episode's new events and applied.
     */
    boolean processNextEvent() {
        HistoryEvent event = nextEvent();
        if (event == null) {
            if (!runLocalActivities()) {
                return false;
            }
            event = nextEvent();
        }
        apply(event);
        return true;
    }

    /**
     * Runs the local activity calls the history does not record (all events are applied, so a recorded call has been
     * matched by now), and appends for each its {@code TaskScheduled} and its completion to the new events: the call
     * and its result are committed together with the episode's checkpoint, and a replay finds both instead of running
     * the activity again. False when there was nothing to run.
     */
    private boolean runLocalActivities() {
        if (pendingLocal.isEmpty()) {
            return false;
        }
        List<LocalPending> toRun = new ArrayList<>(pendingLocal.size());
        for (LocalPending p : pendingLocal) {
            if (unmatchedActions.get(p.call().id()) == p.action() && !p.task().isDone()) {
                toRun.add(p);
            }
        }
        pendingLocal.clear();
        if (toRun.isEmpty()) {
            return false;
        }
        List<LocalActivities.Call> calls = toRun.stream().map(LocalPending::call).toList();
        List<HistoryEvent> completions = localRunner.run(calls, currentInstant);
        for (int i = 0; i < calls.size(); i++) {
            LocalActivities.Call call = calls.get(i);
            incoming.add(new HistoryEvent.TaskScheduled(call.id(), currentInstant, call.name(), call.input()));
            incoming.add(completions.get(i));
        }
        return true;
    }

    /** The next event of past history, then of this episode's new events (where replaying ends); null at the end. */
    private HistoryEvent nextEvent() {
        if (cursor < past.size()) {
            return past.get(cursor++);
        }
        replaying = false;
        return cursor < past.size() + incoming.size() ? incoming.get(cursor++ - past.size()) : null;
    }

    private void apply(HistoryEvent event) {
        if (event instanceof HistoryEvent.OrchestratorStarted e) {
            currentInstant = e.timestamp();
        } else if (event instanceof ExecutionStarted e) {
            started = e;
        } else if (event instanceof HistoryEvent.TaskScheduled e) {
            match(e.eventId(), "call activity '" + e.name() + "'", a -> a instanceof Action.ScheduleTask s && s.name().equals(e.name()));
        } else if (event instanceof HistoryEvent.TimerCreated e) {
            match(e.eventId(), "create a timer", a -> a instanceof Action.CreateTimer);
        } else if (event instanceof HistoryEvent.SubOrchestrationInstanceCreated e) {
            match(e.eventId(), "call sub-orchestrator '" + e.name() + "'",
                    a -> a instanceof Action.CreateSubOrchestration s && s.name().equals(e.name()));
        } else if (event instanceof HistoryEvent.EventSent e) {
            match(e.eventId(), "send event '" + e.name() + "'", a -> a instanceof Action.SendEvent s && s.name().equals(e.name()));
        } else if (event instanceof HistoryEvent.TaskCompleted e) {
            settle(e.taskScheduledId(), e);
        } else if (event instanceof HistoryEvent.TaskFailed e) {
            settle(e.taskScheduledId(), e);
        } else if (event instanceof HistoryEvent.SubOrchestrationInstanceCompleted e) {
            settle(e.taskScheduledId(), e);
        } else if (event instanceof HistoryEvent.SubOrchestrationInstanceFailed e) {
            settle(e.taskScheduledId(), e);
        } else if (event instanceof HistoryEvent.TimerFired e) {
            settle(e.timerId(), e);
        } else if (event instanceof EventRaised e) {
            deliverEvent(e);
        }
        // Other events (suspend, resume, rewind, completion markers) do not affect the orchestrator's code.
    }

    private void match(int id, String recorded, java.util.function.Predicate<Action> sameAction) {
        Action action = unmatchedActions.get(id);
        if (action != null && sameAction.test(action)) {
            unmatchedActions.remove(id);
            return;
        }
        nonDeterminism = "Non-deterministic orchestrator: the history records that call #" + id + " was to " + recorded
                + ", but the code now " + (action == null ? "makes no call #" + id : "asks to " + action.describe())
                + ". Orchestrator code must make the same durable calls in the same order on every replay; "
                + "deploy code changes under a new orchestrator name or version, or let running instances finish first.";
        throw Unwind.NON_DETERMINISM;
    }

    /**
     * Applies a completion to its open call; keeps one for a call not made yet; ignores one for a finished call. A
     * completion that comes before the history records its call (the call is still unmatched) is early and must
     * {@link #answers answer} the call.
     */
    private void settle(int id, HistoryEvent completion) {
        TaskImpl<?> task = openTasks.get(id);
        if (task == null) {
            if (id >= sequence) {
                if (earlyCompletions == null) {
                    earlyCompletions = new HashMap<>();
                }
                earlyCompletions.putIfAbsent(id, completion);
            }
            return;
        }
        Action unrecorded = unmatchedActions.get(id);
        if (unrecorded != null && !answers(completion, unrecorded)) {
            return;
        }
        openTasks.remove(id);
        resolve(task, id, completion);
    }

    private static void resolve(TaskImpl<?> task, int id, HistoryEvent completion) {
        if (completion instanceof HistoryEvent.TaskCompleted c) {
            task.completeJson(c.result());
        } else if (completion instanceof HistoryEvent.TaskFailed f) {
            task.fail(new TaskFailedException(task.name, id, f.failureDetails()));
        } else if (completion instanceof HistoryEvent.SubOrchestrationInstanceCompleted c) {
            task.completeJson(c.result());
        } else if (completion instanceof HistoryEvent.SubOrchestrationInstanceFailed f) {
            task.fail(new TaskFailedException(task.name, id, f.failureDetails()));
        } else if (completion instanceof HistoryEvent.TimerFired) {
            task.completeJson(null);
        }
    }

    /** Registers the task of a call just made; a completion that came before the call completes it at once. */
    private void open(TaskImpl<?> task, Action call) {
        HistoryEvent early = earlyCompletions == null ? null : earlyCompletions.remove(call.id());
        if (early != null && answers(early, call)) {
            resolve(task, call.id(), early);
        } else {
            openTasks.put(call.id(), task);
        }
    }

    /**
     * Whether a completion recorded before its call answers the call with that sequence number. Such completions come
     * from an episode that sent its calls and crashed before committing (the calls ran meanwhile); the episode's next
     * run makes the same calls again. The completion must be of the call's kind, and a timer's firing counts only if it
     * is not earlier than the timer made now (the next run may ask for a later time).
     */
    static boolean answers(HistoryEvent completion, Action call) {
        if (completion instanceof HistoryEvent.TaskCompleted || completion instanceof HistoryEvent.TaskFailed) {
            return call instanceof Action.ScheduleTask;
        }
        if (completion instanceof HistoryEvent.SubOrchestrationInstanceCompleted || completion instanceof HistoryEvent.SubOrchestrationInstanceFailed) {
            return call instanceof Action.CreateSubOrchestration;
        }
        return completion instanceof HistoryEvent.TimerFired f && call instanceof Action.CreateTimer t && !f.fireAt().isBefore(t.fireAt());
    }

    /** The call a recorded history event stands for (activity, timer, sub-orchestration), or null. */
    static Action recordedCall(HistoryEvent e) {
        if (e instanceof HistoryEvent.TaskScheduled t) {
            return new Action.ScheduleTask(t.eventId(), t.name(), t.input());
        } else if (e instanceof HistoryEvent.TimerCreated t) {
            return new Action.CreateTimer(t.eventId(), t.fireAt());
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated s) {
            return new Action.CreateSubOrchestration(s.eventId(), s.name(), s.instanceId(), s.input());
        }
        return null;
    }

    private void deliverEvent(EventRaised event) {
        ArrayDeque<TaskImpl<?>> waiters = eventWaiters.get(key(event.name()));
        TaskImpl<?> waiter = waiters == null ? null : waiters.poll();
        if (waiter != null) {
            waiter.completeJson(event.input());
        } else {
            bufferedEvents.add(event);
        }
    }

    private static String key(String eventName) {
        return eventName.toLowerCase(Locale.ROOT);
    }

    /** The next call's sequence number; after a rewind's cut, numbers the rewound execution used are skipped. */
    private int nextSequence() {
        while (nextJump < sequenceJumps.size() && sequence >= sequenceJumps.get(nextJump)[0]) {
            sequence = Math.max(sequence, sequenceJumps.get(nextJump)[1]);
            nextJump++;
        }
        return sequence++;
    }

    private int nextId(Action action) {
        unmatchedActions.put(action.id(), action);
        return action.id();
    }

    @Override
    public String getName() {
        return started.name();
    }

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public <T> T getInput(Class<T> type) {
        return converter.deserialize(started.input(), type);
    }

    @Override
    public Instant getCurrentInstant() {
        return currentInstant;
    }

    @Override
    public boolean isReplaying() {
        return replaying;
    }

    @Override
    public UUID newUuid() {
        String seed = instanceId + "|" + started.executionId() + "|" + (uuidCounter++);
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Logger getLogger(Class<?> type) {
        return ReplaySafeLogger.wrap(org.slf4j.LoggerFactory.getLogger(type), this::isReplaying);
    }

    @Override
    public <T> Task<T> callActivity(String name, Object input, Class<T> resultType, RetryPolicy retryPolicy) {
        requireName(name, "activity name");
        String json = converter.serialize(input);
        if (retryPolicy == null) {
            return scheduleTask(name, json, resultType);
        }
        return withRetries(name, retryPolicy, resultType, false, wait -> scheduleTask(name, json, resultType));
    }

    @Override
    public <T> Task<T> callLocalActivity(String name, Object input, Class<T> resultType, RetryPolicy retryPolicy) {
        requireName(name, "activity name");
        String json = converter.serialize(input);
        if (localRunner == null) {
            return callActivity(name, input, resultType, retryPolicy);
        }
        if (retryPolicy == null) {
            return scheduleLocal(name, json, resultType, Duration.ZERO);
        }
        return withRetries(name, retryPolicy, resultType, true, wait -> scheduleLocal(name, json, resultType, wait));
    }

    /** A local call is recorded like an activity call; it runs when the orchestrator waits and the events run out. */
    private <T> TaskImpl<T> scheduleLocal(String name, String json, Class<T> resultType, Duration wait) {
        Action call = new Action.ScheduleTask(nextSequence(), name, json);
        nextId(call);
        TaskImpl<T> task = new TaskImpl<>(this, name, resultType);
        open(task, call);
        pendingLocal.add(new LocalPending(new LocalActivities.Call(call.id(), name, json, wait), call, task));
        return task;
    }

    private <T> TaskImpl<T> scheduleTask(String name, String json, Class<T> resultType) {
        Action call = new Action.ScheduleTask(nextSequence(), name, json);
        nextId(call);
        TaskImpl<T> task = new TaskImpl<>(this, name, resultType);
        open(task, call);
        return task;
    }

    @Override
    public Task<Void> createTimer(Instant fireAt) {
        Action call = new Action.CreateTimer(nextSequence(), Times.roundUpToMicros(fireAt));
        nextId(call);
        TaskImpl<Void> task = new TaskImpl<>(this, "timer", Void.class);
        open(task, call);
        return task;
    }

    @Override
    public <T> Task<T> waitForExternalEvent(String name, Duration timeout, Class<T> type) {
        requireName(name, "event name");
        TaskImpl<T> eventTask = new TaskImpl<>(this, name, type);
        for (int i = 0; i < bufferedEvents.size(); i++) {
            if (bufferedEvents.get(i).name().equalsIgnoreCase(name)) {
                eventTask.completeJson(bufferedEvents.remove(i).input());
                return eventTask;
            }
        }
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            eventTask.fail(new TaskCanceledException(name, "No event '" + name + "' had been received (timeout 0)."));
            return eventTask;
        }
        eventWaiters.computeIfAbsent(key(name), k -> new ArrayDeque<>()).add(eventTask);
        if (timeout == null) {
            return eventTask;
        }
        TaskImpl<T> result = new TaskImpl<>(this, name, type);
        TaskImpl<Void> timer = (TaskImpl<Void>) createTimer(currentInstant.plus(timeout));
        eventTask.onDone(() -> {
            if (eventTask.isFailed()) {
                result.fail(eventTask.failure());
            } else {
                result.complete(eventTask.value());
            }
        });
        timer.onDone(() -> {
            if (!result.isDone()) {
                ArrayDeque<TaskImpl<?>> waiters = eventWaiters.get(key(name));
                if (waiters != null) {
                    waiters.remove(eventTask);
                }
                result.fail(new TaskCanceledException(name, "Timed out after " + timeout + " waiting for event '" + name + "'."));
            }
        });
        return result;
    }

    @Override
    public <T> Task<T> callSubOrchestrator(String name, Object input, String subInstanceId, Class<T> resultType, RetryPolicy retryPolicy) {
        requireName(name, "orchestrator name");
        String json = converter.serialize(input);
        if (retryPolicy == null) {
            return scheduleSubOrchestration(name, json, subInstanceId, resultType);
        }
        return withRetries(name, retryPolicy, resultType, false, wait -> scheduleSubOrchestration(name, json, subInstanceId, resultType));
    }

    private <T> TaskImpl<T> scheduleSubOrchestration(String name, String json, String subInstanceId, Class<T> resultType) {
        int id = nextSequence();
        String childId = subInstanceId != null ? subInstanceId : instanceId + ":" + String.format("%04d", id);
        Action call = new Action.CreateSubOrchestration(id, name, childId, json);
        nextId(call);
        TaskImpl<T> task = new TaskImpl<>(this, name, resultType);
        open(task, call);
        return task;
    }

    /**
     * Attempts with retries. {@code attempt} makes one attempt after waiting the given back-off in the worker (only
     * local activities wait there: with {@code local}, a back-off up to {@link #LOCAL_RETRY_THRESHOLD} is waited in the
     * worker; any other back-off is a durable timer).
     */
    private <T> Task<T> withRetries(String name, RetryPolicy policy, Class<T> type, boolean local,
                                    java.util.function.Function<Duration, TaskImpl<T>> attempt) {
        TaskImpl<T> result = new TaskImpl<>(this, name, type);
        Instant firstAttempt = currentInstant;
        new Object() {
            void run(int number, Duration wait) {
                TaskImpl<T> task = attempt.apply(wait);
                task.onDone(() -> {
                    if (!task.isFailed()) {
                        result.complete(task.value());
                        return;
                    }
                    RuntimeException failure = task.failure();
                    boolean retryable = failure instanceof TaskFailedException tfe && policy.handle().test(tfe.failureDetails());
                    Duration delay = policy.delayAfterAttempt(number);
                    boolean inTime = policy.retryTimeout() == null
                            || !currentInstant.plus(delay).isAfter(firstAttempt.plus(policy.retryTimeout()));
                    if (!retryable || number >= policy.maxAttempts() || !inTime) {
                        result.fail(failure);
                        return;
                    }
                    if (local && delay.compareTo(LOCAL_RETRY_THRESHOLD) <= 0) {
                        run(number + 1, delay);
                        return;
                    }
                    ((TaskImpl<Void>) createTimer(currentInstant.plus(delay))).onDone(() -> run(number + 1, Duration.ZERO));
                });
            }
        }.run(1, Duration.ZERO);
        return result;
    }

    @Override
    public void sendEvent(String targetInstanceId, String eventName, Object data) {
        requireName(targetInstanceId, "instance id");
        requireName(eventName, "event name");
        nextId(new Action.SendEvent(nextSequence(), targetInstanceId, eventName, converter.serialize(data)));
    }

    @Override
    public void continueAsNew(Object newInput, boolean preserveUnprocessedEvents) {
        this.continueAsNewInput = converter.serialize(newInput);
        this.preserveUnprocessedEvents = preserveUnprocessedEvents;
        throw Unwind.CONTINUED_AS_NEW;
    }

    @Override
    public void setCustomStatus(Object status) {
        this.customStatus = converter.serialize(status);
        this.customStatusSet = true;
    }

    @Override
    public <V> Task<List<V>> allOf(List<? extends Task<? extends V>> tasks) {
        TaskImpl<List<V>> all = new TaskImpl<>(this, "allOf", null);
        int[] remaining = {tasks.size()};
        if (tasks.isEmpty()) {
            all.complete(List.of());
            return all;
        }
        for (Task<? extends V> task : tasks) {
            ((TaskImpl<?>) task).onDone(() -> {
                if (--remaining[0] == 0) {
                    List<V> values = new ArrayList<>(tasks.size());
                    for (Task<? extends V> t : tasks) {
                        TaskImpl<? extends V> impl = (TaskImpl<? extends V>) t;
                        if (impl.isFailed()) {
                            all.fail(impl.failure());
                            return;
                        }
                        values.add(impl.value());
                    }
                    all.complete(values);
                }
            });
        }
        return all;
    }

    @Override
    public Task<Task<?>> anyOf(List<? extends Task<?>> tasks) {
        if (tasks.isEmpty()) {
            throw new InvalidRequestException("anyOf needs at least one task.");
        }
        TaskImpl<Task<?>> any = new TaskImpl<>(this, "anyOf", null);
        for (Task<?> task : tasks) {
            ((TaskImpl<?>) task).onDone(() -> any.complete(task));
        }
        return any;
    }

    private static void requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException("The " + what + " must not be empty.");
        }
    }
}

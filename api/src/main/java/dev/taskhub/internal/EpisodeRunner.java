package dev.taskhub.internal;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.history.SubOrchestrationOutcome;
import dev.taskhub.history.TraceContext;
import dev.taskhub.history.HistoryEvent.EventRaised;
import dev.taskhub.history.HistoryEvent.ExecutionStarted;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.spi.ActivityRequest;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one locked work item plus the instance's history into a checkpoint: filters stale and duplicate messages,
 * applies control events (terminate, suspend, resume, rewind), replays the orchestrator and records its new actions.
 * Stateless and thread-safe.
 */
public final class EpisodeRunner {
    private static final Logger log = LoggerFactory.getLogger(EpisodeRunner.class);

    private final Registrations registry;
    private final Clock clock;
    private final int maxDeliveryCount;
    /** Serialises user payloads (inputs, outputs, custom status, event data); the history envelope stays JSON. */
    private final DataConverter converter;
    private final LocalActivities localActivities;

    public EpisodeRunner(Registrations registry, Clock clock, int maxDeliveryCount) {
        this(registry, clock, maxDeliveryCount, JsonDataConverter.DEFAULT);
    }

    /** Local activities run one after the other on the episode's thread. */
    public EpisodeRunner(Registrations registry, Clock clock, int maxDeliveryCount, DataConverter converter) {
        this(registry, clock, maxDeliveryCount, converter, new LocalActivities(registry, converter, null));
    }

    public EpisodeRunner(Registrations registry, Clock clock, int maxDeliveryCount, DataConverter converter,
                         LocalActivities localActivities) {
        this.localActivities = localActivities;
        this.converter = converter;
        this.registry = registry;
        this.clock = clock;
        this.maxDeliveryCount = maxDeliveryCount;
    }

    public Checkpoint run(OrchestrationWorkItem workItem, List<HistoryEvent> storedHistory) {
        Instant now = clock.instant();
        InstanceState state = workItem.instance();
        Episode episode = new Episode(workItem, now, converter);

        ExecutionStarted start = findStart(workItem, state, storedHistory);
        if (state == null && start == null) {
            log.debug("Dropping {} message(s) for unknown instance '{}'", workItem.messages().size(), workItem.instanceId());
            return episode.dropAll();
        }
        if (poisoned(workItem)) {
            return episode.deadLetter(state, start, storedHistory, maxDeliveryCount);
        }

        List<HistoryEvent> history = storedHistory;
        boolean replace = false;
        RuntimeStatus status;
        String executionId;
        if (start != null) {
            if (state != null && state.status().isTerminal()) {
                history = List.of();   // a parent re-creates a finished sub-orchestration: start over
                replace = true;
            }
            // suspended before its start: the start is recorded, the orchestrator waits for the resume
            status = state != null && state.status() == RuntimeStatus.SUSPENDED ? RuntimeStatus.SUSPENDED : RuntimeStatus.RUNNING;
            executionId = start.executionId();
        } else {
            status = state.status();
            executionId = state.executionId();
        }

        // A finished instance only takes a rewind (when failed), keeps results for a later rewind (when failed), or
        // answers its parent's rewind (a finished sub-orchestration); other messages are dropped.
        TaskMessage rewindMessage = null;
        HistoryEvent.ExecutionRewound rewind = null;
        Rewind.Rewound rewound = null;
        List<TaskMessage> messages = workItem.messages();
        if (start == null && status.isTerminal()) {
            rewindMessage = status == RuntimeStatus.FAILED ? Rewind.rewindMessage(messages, history, executionId) : null;
            if (rewindMessage == null) {
                Checkpoint finished = Rewind.whileFinished(workItem, history, now);
                if (finished != null) {
                    return finished;
                }
                log.debug("Dropping {} message(s) for finished instance '{}'", workItem.messages().size(), workItem.instanceId());
                return episode.dropAll();
            }
            rewind = (HistoryEvent.ExecutionRewound) rewindMessage.event();
            rewound = Rewind.rewrite(history);
            history = rewound.history();
            messages = Rewind.applied(messages, rewindMessage);
            replace = true;
            status = RuntimeStatus.RUNNING;
        }

        // Select the new events: current execution only, no duplicates, in arrival order.
        Set<Integer> scheduled = new HashSet<>();
        Set<Integer> completed = new HashSet<>();
        Set<String> raisedMessageIds = new HashSet<>();
        Map<Integer, Instant> timers = new HashMap<>();
        List<HistoryEvent> earlyCompletions = new ArrayList<>();
        index(history, scheduled, completed, raisedMessageIds, timers);
        boolean started = start != null || history.stream().anyMatch(ExecutionStarted.class::isInstance);
        int firstNewCall = firstNewCall(history);
        List<HistoryEvent> newEvents = new ArrayList<>();
        newEvents.add(new HistoryEvent.OrchestratorStarted(-1, now));
        if (rewind != null) {
            newEvents.add(new HistoryEvent.ExecutionRewound(rewound.nextCallId(), now, rewind.reason(), rewindMessage.messageId()));
        }
        if (start != null) {
            newEvents.add(new ExecutionStarted(-1, now, start.name(), start.version(), start.input(), start.executionId(),
                    start.parent(), start.scheduledStartTime(), start.traceContext()));
        }
        HistoryEvent.ExecutionTerminated terminate = null;
        for (TaskMessage message : messages) {
            HistoryEvent e = message.event();
            if (e instanceof ExecutionStarted || e instanceof HistoryEvent.ExecutionRewound) {
                continue;
            }
            if (message.executionId() != null && !message.executionId().equals(executionId)) {
                continue;   // addressed to an earlier execution
            }
            if (e instanceof HistoryEvent.ExecutionTerminated t) {
                if (terminate == null) {
                    terminate = t;
                }
            } else if (e instanceof HistoryEvent.ExecutionSuspended) {
                if (status == RuntimeStatus.RUNNING || status == RuntimeStatus.PENDING || status == RuntimeStatus.CONTINUED_AS_NEW) {
                    status = RuntimeStatus.SUSPENDED;
                    newEvents.add(stamp(e, now));
                }
            } else if (e instanceof HistoryEvent.ExecutionResumed) {
                if (status == RuntimeStatus.SUSPENDED) {
                    // resumed before its start: pending again until the start message arrives at its start time
                    status = started ? RuntimeStatus.RUNNING : RuntimeStatus.PENDING;
                    newEvents.add(stamp(e, now));
                }
            } else if (e instanceof EventRaised raised) {
                String id = raised.messageId() != null ? raised.messageId() : message.messageId();
                if (raisedMessageIds.add(id)) {
                    newEvents.add(new EventRaised(-1, now, raised.name(), raised.input(), id));
                }
            } else {
                // A completion of a call with a number this execution has not used yet is early, not stale: an attempt
                // of this episode sent the call and crashed before committing (Azure Storage sends first). Keep it;
                // replay hands it to the call when the code makes it again (ReplayContext#answers). Numbers skipped
                // by a rewind stay stale.
                // A firing for an earlier time than the recorded timer is stale too: a crashed attempt made the timer
                // earlier, and its repeat made it again for a later time (never fire a timer before its recorded time).
                int taskId = completionId(e);
                boolean early = rewind == null && message.executionId() != null && taskId >= firstNewCall;
                boolean staleFiring = e instanceof HistoryEvent.TimerFired f && timers.containsKey(taskId)
                        && f.fireAt().isBefore(timers.get(taskId));
                if (taskId >= 0 && !staleFiring && (scheduled.contains(taskId) || early) && completed.add(taskId)) {
                    HistoryEvent completion = stamp(e, now);
                    newEvents.add(completion);
                    if (!scheduled.contains(taskId)) {
                        earlyCompletions.add(completion);
                    }
                }
            }
        }

        InstanceState base = start != null ? newState(workItem.instanceId(), start, now, state) : state;
        episode.rewinds = rewinds(history) + rewinds(newEvents);
        if (terminate != null) {
            return episode.terminate(base, history, replace, newEvents, terminate);
        }
        // A rewind asks again for the work the rewound history waits for, unless the instance finishes at once.
        Rewind.Reissue reissue = null;
        if (rewound != null) {
            List<HistoryEvent> all = new ArrayList<>(history);
            all.addAll(newEvents);
            reissue = Rewind.reissue(base, rewound, all, rewind.reason(), now);
        }
        if (status == RuntimeStatus.SUSPENDED || !started) {
            // Keep what arrived; the orchestrator runs again when resumed (or started).
            return Rewind.withReissued(episode.appendOnly(base.withStatus(status, now), history, replace, newEvents), reissue);
        }

        Orchestrator<?> orchestrator = registry.orchestrator(base.name()).orElse(null);
        if (orchestrator == null) {
            FailureDetails failure = new FailureDetails("OrchestratorNotFound", "No orchestrator named '" + base.name()
                    + "' is registered on this worker (registered: " + registry.orchestratorNames()
                    + "). Register it with TaskHubWorker.builder(...).addOrchestrator(\"" + base.name() + "\", ...).", "");
            return episode.finish(base, history, replace, newEvents, List.of(), RuntimeStatus.FAILED, null, failure, null, false);
        }

        ReplayContext context = new ReplayContext(workItem.instanceId(), history, newEvents, converter,
                (calls, at) -> localActivities.run(workItem.instanceId(), workItem.deliveryCount(), calls, at));
        ReplayContext.Outcome outcome = context.run(orchestrator);
        dropUnanswered(newEvents, earlyCompletions, context.newActions());
        String customStatus = context.customStatusSet() ? context.customStatus() : base.customStatus();
        if (outcome instanceof ReplayContext.Outcome.Completed c) {
            return episode.finish(base, history, replace, newEvents, context.newActions(), RuntimeStatus.COMPLETED,
                    c.output(), null, customStatus, true);
        }
        if (outcome instanceof ReplayContext.Outcome.Failed f) {
            return episode.finish(base, history, replace, newEvents, context.newActions(), RuntimeStatus.FAILED,
                    null, f.details(), customStatus, false);
        }
        if (outcome instanceof ReplayContext.Outcome.ContinuedAsNew can) {
            return episode.continueAsNew(base, context, can, customStatus);
        }
        return Rewind.withReissued(episode.waiting(base, history, replace, newEvents, context.newActions(), customStatus), reissue);
    }

    /** Delivered too often, for an instance that has not finished: {@link #run} dead-letters it (if the instance exists). */
    private boolean poisoned(OrchestrationWorkItem workItem) {
        InstanceState state = workItem.instance();
        return workItem.deliveryCount() > maxDeliveryCount && (state == null || !state.status().isTerminal());
    }

    /** Whether {@link #run} dead-letters this work item (failing the instance): the dispatcher quarantines it first. */
    boolean deadLetters(OrchestrationWorkItem workItem, List<HistoryEvent> storedHistory) {
        return poisoned(workItem) && (workItem.instance() != null || findStart(workItem, null, storedHistory) != null);
    }

    /**
     * The start message this episode applies, or null. A client's start always finds the row the client created with
     * it, so without a row only a sub-orchestration's start counts (a client start then belongs to a purged instance).
     * A start for the current execution counts until the execution has started, unless the instance finished meanwhile
     * (terminated before its scheduled start). A parent re-creating a finished sub-orchestration sends a new execution.
     */
    private static ExecutionStarted findStart(OrchestrationWorkItem workItem, InstanceState state, List<HistoryEvent> history) {
        for (TaskMessage m : workItem.messages()) {
            if (m.event() instanceof ExecutionStarted es) {
                if (state == null) {
                    if (es.parent() != null) {
                        return es;
                    }
                    continue;
                }
                boolean fresh = !state.status().isTerminal() && es.executionId().equals(state.executionId())
                        && history.stream().noneMatch(ExecutionStarted.class::isInstance);
                boolean restartChild = state.status().isTerminal() && es.parent() != null && !es.executionId().equals(state.executionId());
                if (fresh || restartChild) {
                    return es;
                }
            }
        }
        return null;
    }

    /**
     * Collects the recorded calls, the calls answered (an early completion recorded before its call counts only if it
     * answers the call, see {@link ReplayContext#answers}) and the ids of the external events received.
     */
    private static void index(List<HistoryEvent> history, Set<Integer> scheduled, Set<Integer> completed, Set<String> raised,
                              Map<Integer, Instant> timers) {
        Map<Integer, HistoryEvent> early = null;
        for (HistoryEvent e : history) {
            if (e instanceof HistoryEvent.TaskScheduled || e instanceof HistoryEvent.TimerCreated
                    || e instanceof HistoryEvent.SubOrchestrationInstanceCreated) {
                scheduled.add(e.eventId());
                if (e instanceof HistoryEvent.TimerCreated t) {
                    timers.put(t.eventId(), t.fireAt());
                }
                HistoryEvent completion = early == null ? null : early.remove(e.eventId());
                if (completion != null && !ReplayContext.answers(completion, ReplayContext.recordedCall(e))) {
                    completed.remove(e.eventId());
                }
            } else if (e instanceof EventRaised r) {
                if (r.messageId() != null) {
                    raised.add(r.messageId());
                }
            } else {
                int id = completionId(e);
                if (id >= 0 && completed.add(id) && !scheduled.contains(id)) {
                    early = early == null ? new HashMap<>() : early;
                    early.put(id, e);
                }
            }
        }
    }

    /**
     * Removes the early completions of this episode that the call it made with the same number does not answer (a
     * crashed attempt's timer firing for an earlier time than the repeat asked for): replay ignored them, and the
     * history would otherwise show the timer fired twice once the repeat's own timer fires.
     */
    private static void dropUnanswered(List<HistoryEvent> newEvents, List<HistoryEvent> early, List<Action> actions) {
        if (early.isEmpty() || actions.isEmpty()) {
            return;
        }
        Map<Integer, Action> calls = new HashMap<>();
        for (Action a : actions) {
            calls.put(a.id(), a);
        }
        for (HistoryEvent e : early) {
            Action call = calls.get(completionId(e));
            if (call != null && !ReplayContext.answers(e, call)) {
                newEvents.remove(e);   // by identity: records have no two equal stamped completions here
            }
        }
    }

    /** The lowest sequence number a new call of this execution can get: above every recorded call and rewind cut. */
    private static int firstNewCall(List<HistoryEvent> history) {
        int next = 0;
        for (HistoryEvent e : history) {
            if (Rewind.isCall(e)) {
                next = Math.max(next, e.eventId() + 1);
            } else if (e instanceof HistoryEvent.ExecutionRewound r) {
                next = Math.max(next, r.eventId());
            }
        }
        return next;
    }

    private static int rewinds(List<HistoryEvent> events) {
        int n = 0;
        for (HistoryEvent e : events) {
            if (e instanceof HistoryEvent.ExecutionRewound) {
                n++;
            }
        }
        return n;
    }

    static int completionId(HistoryEvent e) {
        if (e instanceof HistoryEvent.TaskCompleted c) {
            return c.taskScheduledId();
        } else if (e instanceof HistoryEvent.TaskFailed f) {
            return f.taskScheduledId();
        } else if (e instanceof HistoryEvent.TimerFired t) {
            return t.timerId();
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCompleted c) {
            return c.taskScheduledId();
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceFailed f) {
            return f.taskScheduledId();
        }
        return -1;
    }

    /** The event with this episode's timestamp. */
    static HistoryEvent stamp(HistoryEvent e, Instant now) {
        if (e instanceof HistoryEvent.TaskCompleted c) {
            return new HistoryEvent.TaskCompleted(-1, now, c.taskScheduledId(), c.result());
        } else if (e instanceof HistoryEvent.TaskFailed f) {
            return new HistoryEvent.TaskFailed(-1, now, f.taskScheduledId(), f.failureDetails());
        } else if (e instanceof HistoryEvent.TimerFired t) {
            return new HistoryEvent.TimerFired(-1, now, t.timerId(), t.fireAt());
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceCompleted c) {
            return new HistoryEvent.SubOrchestrationInstanceCompleted(-1, now, c.taskScheduledId(), c.result());
        } else if (e instanceof HistoryEvent.SubOrchestrationInstanceFailed f) {
            return new HistoryEvent.SubOrchestrationInstanceFailed(-1, now, f.taskScheduledId(), f.failureDetails());
        } else if (e instanceof HistoryEvent.ExecutionSuspended s) {
            return new HistoryEvent.ExecutionSuspended(-1, now, s.reason());
        } else if (e instanceof HistoryEvent.ExecutionResumed r) {
            return new HistoryEvent.ExecutionResumed(-1, now, r.reason());
        }
        return e;
    }

    private static InstanceState newState(String instanceId, ExecutionStarted start, Instant now, InstanceState existing) {
        boolean keepCreated = existing != null && existing.executionId() != null && existing.executionId().equals(start.executionId());
        return InstanceState.builder().instanceId(instanceId).name(start.name()).version(start.version())
                .executionId(start.executionId()).status(RuntimeStatus.RUNNING).input(start.input())
                .createdAt(keepCreated ? existing.createdAt() : now).lastUpdatedAt(now)
                .scheduledStartAt(start.scheduledStartTime())
                .parentInstanceId(start.parent() == null ? null : start.parent().instanceId()).build();
    }

    static String newMessageId() {
        return Ids.random();
    }

    /** Builds the checkpoint of one episode. */
    private static final class Episode {
        private final OrchestrationWorkItem workItem;
        private final Instant now;
        private final DataConverter json;
        /**
         * Rewinds recorded in the execution: a rewound execution issues its failed calls again under the same sequence
         * numbers, and those must not look like repeats of the first attempt.
         */
        private int rewinds;

        Episode(OrchestrationWorkItem workItem, Instant now, DataConverter json) {
            this.json = json;
            this.workItem = workItem;
            this.now = now;
        }

        Checkpoint dropAll() {
            return new Checkpoint(workItem, List.of(), false, null, List.of(), List.of());
        }

        Checkpoint deadLetter(InstanceState state, ExecutionStarted start, List<HistoryEvent> history, int max) {
            rewinds = rewinds(history);
            FailureDetails failure = new FailureDetails("PoisonMessage", "The messages " + Quarantine.eventTypes(workItem)
                    + " for instance '" + workItem.instanceId() + "' were delivered " + workItem.deliveryCount()
                    + " times without a successful checkpoint (maximum " + max + "); they were quarantined and the instance failed. Check the worker logs "
                    + "for the error and fix it, then replay the quarantine record ('taskhub quarantine list --instance-id "
                    + workItem.instanceId() + "', then 'taskhub quarantine replay <id>') or restart the instance.", "");
            InstanceState base = state != null ? state : newState(workItem.instanceId(), start, now, null);
            List<HistoryEvent> events = new ArrayList<>();
            events.add(new HistoryEvent.OrchestratorStarted(-1, now));
            boolean hasStart = history.stream().anyMatch(ExecutionStarted.class::isInstance);
            if (!hasStart && start != null) {
                events.add(new ExecutionStarted(-1, now, start.name(), start.version(), start.input(), start.executionId(), start.parent(), null,
                        start.traceContext()));
            }
            return finish(base, history, false, events, List.of(), RuntimeStatus.FAILED, null, failure, null, false);
        }

        Checkpoint appendOnly(InstanceState state, List<HistoryEvent> history, boolean replace, List<HistoryEvent> newEvents) {
            return new Checkpoint(workItem, events(history, replace, newEvents), replace, state, List.of(), List.of());
        }

        /**
         * The id of a message this episode sends: the same for every run of the episode (after a crash or a refused
         * commit), so that receivers drop the repeat; unique per execution, rewind, kind and sequence number.
         */
        private String messageId(InstanceState base, String kind, Object... more) {
            Object[] parts = new Object[4 + more.length];
            parts[0] = base.instanceId();
            parts[1] = base.executionId();
            parts[2] = rewinds;
            parts[3] = kind;
            System.arraycopy(more, 0, parts, 4, more.length);
            return Ids.derived(parts);
        }

        Checkpoint terminate(InstanceState base, List<HistoryEvent> history, boolean replace, List<HistoryEvent> newEvents,
                             HistoryEvent.ExecutionTerminated terminate) {
            newEvents.add(new HistoryEvent.ExecutionTerminated(-1, now, terminate.reason(), terminate.recursive()));
            List<TaskMessage> outbound = new ArrayList<>();
            if (terminate.recursive()) {
                Set<Integer> done = new HashSet<>();
                history.forEach(e -> done.add(completionId(e)));
                for (HistoryEvent e : history) {
                    if (e instanceof HistoryEvent.SubOrchestrationInstanceCreated sub && !done.contains(sub.eventId())) {
                        outbound.add(new TaskMessage(messageId(base, "terminate", sub.eventId()), sub.instanceId(), null,
                                new HistoryEvent.ExecutionTerminated(-1, now, terminate.reason(), true), null));
                    }
                }
            }
            String reason = json.serialize(terminate.reason());
            notifyParent(base, history, newEvents, RuntimeStatus.TERMINATED, reason,
                    SubOrchestrationOutcome.terminated(terminate.reason()), outbound);
            InstanceState state = settled(base, RuntimeStatus.TERMINATED, reason, base.customStatus(), null);
            return new Checkpoint(workItem, events(history, replace, newEvents), replace, state, outbound, List.of());
        }

        Checkpoint waiting(InstanceState base, List<HistoryEvent> history, boolean replace, List<HistoryEvent> newEvents,
                           List<Action> actions, String customStatus) {
            List<TaskMessage> outbound = new ArrayList<>();
            List<ActivityRequest> activities = new ArrayList<>();
            record(base, history, actions, newEvents, outbound, activities);
            newEvents.add(new HistoryEvent.OrchestratorCompleted(-1, now));
            InstanceState state = settled(base, RuntimeStatus.RUNNING, null, customStatus, null);
            return new Checkpoint(workItem, events(history, replace, newEvents), replace, state, outbound, activities);
        }

        Checkpoint finish(InstanceState base, List<HistoryEvent> history, boolean replace, List<HistoryEvent> newEvents,
                          List<Action> actions, RuntimeStatus status, String output, FailureDetails failure,
                          String customStatus, boolean sendActions) {
            List<TaskMessage> outbound = new ArrayList<>();
            List<ActivityRequest> activities = new ArrayList<>();
            if (sendActions) {
                record(base, history, actions, newEvents, outbound, activities);
            }
            newEvents.add(new HistoryEvent.ExecutionCompleted(-1, now, status, output, failure));
            newEvents.add(new HistoryEvent.OrchestratorCompleted(-1, now));
            List<HistoryEvent> all = new ArrayList<>(history);
            all.addAll(newEvents);
            notifyParent(base, all, newEvents, status, output, failure, outbound);
            InstanceState state = settled(base, status, output, customStatus != null ? customStatus : base.customStatus(), failure);
            return new Checkpoint(workItem, events(history, replace, newEvents), replace, state, outbound, activities);
        }

        Checkpoint continueAsNew(InstanceState base, ReplayContext context, ReplayContext.Outcome.ContinuedAsNew can, String customStatus) {
            String executionId = messageId(base, "continue-as-new");
            ExecutionStarted old = context.started();
            List<TaskMessage> outbound = new ArrayList<>();
            // The start goes to this instance itself under a fresh id: a copy a crashed attempt sent may already have
            // been consumed (dropped, as it addressed the next execution), and a provider that remembers consumed ids
            // would swallow a copy with the same id. A repeated start is recognised by its execution id instead.
            outbound.add(new TaskMessage(newMessageId(), base.instanceId(), executionId,
                    new ExecutionStarted(-1, now, old.name(), old.version(), can.input(), executionId, old.parent(), null,
                            old.traceContext()), null));
            // Unconsumed events go into the new execution's history, ahead of its start, so that events arriving
            // later (as messages) cannot overtake them; replay buffers them before the orchestrator runs.
            List<HistoryEvent> carried = new ArrayList<>();
            if (can.preserveUnprocessedEvents() && !context.unprocessedEvents().isEmpty()) {
                carried.add(new HistoryEvent.OrchestratorStarted(-1, now));
                carried.addAll(context.unprocessedEvents());
            }
            for (Action action : context.newActions()) {
                if (action instanceof Action.SendEvent send) {
                    String messageId = messageId(base, "event", send.id());
                    outbound.add(new TaskMessage(messageId, send.instanceId(), null,
                            new EventRaised(-1, now, send.name(), send.input(), messageId), null));
                }
            }
            InstanceState state = InstanceState.builder().instanceId(base.instanceId()).name(base.name())
                    .version(base.version()).executionId(executionId).status(RuntimeStatus.CONTINUED_AS_NEW)
                    .input(can.input()).customStatus(customStatus).createdAt(base.createdAt()).lastUpdatedAt(now)
                    .parentInstanceId(base.parentInstanceId()).build();
            return new Checkpoint(workItem, carried, true, state, outbound, List.of());
        }

        /** The instance's state at the end of this episode: same identity and input, the given outcome. */
        private InstanceState settled(InstanceState base, RuntimeStatus status, String output, String customStatus,
                                      FailureDetails failure) {
            return base.toBuilder().status(status).output(output).customStatus(customStatus).failureDetails(failure)
                    .lastUpdatedAt(now).build();
        }

        private void record(InstanceState base, List<HistoryEvent> history, List<Action> actions, List<HistoryEvent> newEvents,
                            List<TaskMessage> outbound, List<ActivityRequest> activities) {
            String executionId = base.executionId();
            TraceContext trace = actions.isEmpty() ? null : traceContext(history, newEvents);
            for (Action action : actions) {
                if (action instanceof Action.ScheduleTask t) {
                    newEvents.add(new HistoryEvent.TaskScheduled(t.id(), now, t.name(), t.input(), trace));
                    activities.add(new ActivityRequest(messageId(base, "activity", t.id()), base.instanceId(), executionId, t.id(),
                            t.name(), t.input()));
                } else if (action instanceof Action.CreateTimer t) {
                    newEvents.add(new HistoryEvent.TimerCreated(t.id(), now, t.fireAt()));
                    // the fire time is part of the id: a timer made again for a later time must not look like a repeat
                    outbound.add(new TaskMessage(messageId(base, "timer", t.id(), t.fireAt()), base.instanceId(), executionId,
                            new HistoryEvent.TimerFired(-1, t.fireAt(), t.id(), t.fireAt()), t.fireAt()));
                } else if (action instanceof Action.CreateSubOrchestration s) {
                    newEvents.add(new HistoryEvent.SubOrchestrationInstanceCreated(s.id(), now, s.name(), null, s.instanceId(), s.input(), trace));
                    // a repeated start carries the same execution, so the child ignores it instead of starting over
                    String childExecution = messageId(base, "child-execution", s.id());
                    outbound.add(new TaskMessage(messageId(base, "child-start", s.id()), s.instanceId(), childExecution,
                            new ExecutionStarted(-1, now, s.name(), null, s.input(), childExecution,
                                    new HistoryEvent.ParentInstance(base.instanceId(), executionId, s.id(), base.name()), null, trace), null));
                } else if (action instanceof Action.SendEvent s) {
                    newEvents.add(new HistoryEvent.EventSent(s.id(), now, s.instanceId(), s.name(), s.input(), trace));
                    String messageId = messageId(base, "event", s.id());
                    outbound.add(new TaskMessage(messageId, s.instanceId(), null,
                            new EventRaised(-1, now, s.name(), s.input(), messageId), null));
                }
            }
        }

        /** The trace context of the execution (carried by its start), or null. */
        private static TraceContext traceContext(List<HistoryEvent> history, List<HistoryEvent> newEvents) {
            for (List<HistoryEvent> list : List.of(history, newEvents)) {
                for (HistoryEvent e : list) {
                    if (e instanceof ExecutionStarted es) {
                        return es.traceContext();
                    }
                }
            }
            return null;
        }

        private void notifyParent(InstanceState base, List<HistoryEvent> history, List<HistoryEvent> newEvents, RuntimeStatus status,
                                  String output, FailureDetails failure, List<TaskMessage> outbound) {
            HistoryEvent.ParentInstance parent = null;
            for (List<HistoryEvent> list : List.of(history, newEvents)) {
                for (HistoryEvent e : list) {
                    if (e instanceof ExecutionStarted es && es.parent() != null) {
                        parent = es.parent();
                    }
                }
            }
            if (parent == null) {
                return;
            }
            HistoryEvent event = status == RuntimeStatus.COMPLETED
                    ? new HistoryEvent.SubOrchestrationInstanceCompleted(-1, now, parent.taskScheduledId(), output)
                    : new HistoryEvent.SubOrchestrationInstanceFailed(-1, now, parent.taskScheduledId(), failure);
            outbound.add(new TaskMessage(messageId(base, "result"), parent.instanceId(), parent.executionId(), event, null));
        }

        private static List<HistoryEvent> events(List<HistoryEvent> history, boolean replace, List<HistoryEvent> newEvents) {
            if (!replace) {
                return newEvents;
            }
            List<HistoryEvent> all = new ArrayList<>(history.size() + newEvents.size());
            all.addAll(history);
            all.addAll(newEvents);
            return all;
        }
    }
}

package dev.taskhub.opentelemetry;

import dev.taskhub.FailureDetails;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.history.TraceContext;
import dev.taskhub.observe.EpisodeReport;
import dev.taskhub.observe.TaskHubObserver;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * Traces of orchestrations through the OpenTelemetry API, with the span names and attributes of durabletask, so that
 * dashboards made for durabletask read them:
 *
 * <ul>
 *   <li>{@code create_orchestration:{name}} (producer): the client's start, a child of the caller's current span (an
 *       HTTP request, for example); its W3C context is stored with the start, in the history;</li>
 *   <li>{@code orchestration:{name}} (server): the whole execution, from its start to its end, emitted once when it
 *       ends;</li>
 *   <li>{@code activity:{name}} (client): an activity call, from its scheduling to its result reaching the
 *       orchestration;</li>
 *   <li>{@code orchestration:{name}:timer} (internal): a durable timer, from its creation to its firing;</li>
 *   <li>{@code orchestration:{name}} (client) for a sub-orchestration call, and {@code orchestration_event:{name}}
 *       (producer) for an event sent by an orchestration or raised by the client.</li>
 * </ul>
 *
 * <p>The spans of an execution are children of the context stored with its start, so one trace runs from the start
 * request to the last activity, across worker processes and on every provider. A worker emits a span only for work
 * that its committed episode made new, so replays, redeliveries and the takeover of a crashed worker's instances never
 * emit a span twice; a worker that dies between its commit and the span's export loses that span. An execution started
 * without a trace context (by a client without tracing) gets one trace of its own, whose id is derived from the
 * instance and execution ids (its root span is not recorded anywhere).
 *
 * <p>Register the same instance with the workers ({@code WorkerOptions.builder().addObserver(tracing)}) and the client
 * ({@code client.withObserver(tracing)}). Uses only the OpenTelemetry API: without an SDK it does nothing. Thread-safe.
 */
public final class TaskHubTracing implements TaskHubObserver {
    /** The instrumentation scope name of the tracer. */
    public static final String INSTRUMENTATION_NAME = "dev.taskhub";

    static final AttributeKey<String> TYPE = AttributeKey.stringKey("durabletask.type");
    static final AttributeKey<String> TASK_NAME = AttributeKey.stringKey("durabletask.task.name");
    static final AttributeKey<String> INSTANCE_ID = AttributeKey.stringKey("durabletask.task.instance_id");
    static final AttributeKey<String> EXECUTION_ID = AttributeKey.stringKey("durabletask.task.execution_id");
    static final AttributeKey<Long> TASK_ID = AttributeKey.longKey("durabletask.task.task_id");
    static final AttributeKey<String> VERSION = AttributeKey.stringKey("durabletask.task.version");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("durabletask.runtime_status");
    static final AttributeKey<String> FIRE_AT = AttributeKey.stringKey("durabletask.fire_at");
    static final AttributeKey<String> TARGET_INSTANCE_ID = AttributeKey.stringKey("durabletask.event.target_instance_id");

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    static final AttributeKey<Long> NEW_EVENTS = AttributeKey.longKey("taskhub.episode.new_events");
    static final AttributeKey<String> HISTORY_SOURCE = AttributeKey.stringKey("taskhub.episode.history_source");

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final boolean episodeSpans;

    private TaskHubTracing(OpenTelemetry openTelemetry, boolean episodeSpans) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
        this.episodeSpans = episodeSpans;
    }

    /** Tracing through {@code openTelemetry} (for example {@code GlobalOpenTelemetry.get()} or the application's SDK). */
    public static TaskHubTracing of(OpenTelemetry openTelemetry) {
        return new TaskHubTracing(Objects.requireNonNull(openTelemetry, "openTelemetry"), false);
    }

    /**
     * The same, plus a span {@code orchestration:{name}:episode} for every committed episode (replay and new work, the
     * commit excluded), with the number of events it added and where its history came from. Off in {@link #of}:
     * durabletask's dashboards do not expect them, and a long orchestration has many.
     */
    public TaskHubTracing withEpisodeSpans() {
        return new TaskHubTracing(openTelemetry, true);
    }

    // ---- client ----------------------------------------------------------------------------------------------

    @Override
    public TraceContext orchestrationScheduling(String name, String instanceId, TraceContext parent) {
        Context context = parent != null ? extract(parent) : Context.current();
        Span span = tracer.spanBuilder("create_orchestration:" + name).setSpanKind(SpanKind.PRODUCER)
                .setParent(context)
                .setAttribute(TYPE, "orchestration").setAttribute(TASK_NAME, name).setAttribute(INSTANCE_ID, instanceId)
                .startSpan();
        try {
            return toTraceContext(context.with(span));
        } finally {
            span.end();
        }
    }

    @Override
    public void eventRaised(String name, String instanceId, String eventName) {
        tracer.spanBuilder("orchestration_event:" + eventName).setSpanKind(SpanKind.PRODUCER).setParent(Context.current())
                .setAttribute(TYPE, "event").setAttribute(TASK_NAME, eventName).setAttribute(TARGET_INSTANCE_ID, instanceId)
                .startSpan().end();
    }

    // ---- worker ----------------------------------------------------------------------------------------------

    @Override
    public void episodeCommitted(EpisodeReport e) {
        HistoryEvent.ExecutionStarted start = e.executionStarted();
        if (start == null) {
            return;   // not started yet (a scheduled start, or suspended before starting): nothing to trace
        }
        Context parent = parentOf(start.traceContext(), e.instanceId(), e.executionId());
        String name = e.name();
        for (HistoryEvent event : e.newEvents()) {
            Integer answered = HistoryEvent.answeredCallId(event);
            if (answered != null) {
                HistoryEvent call = e.call(answered);
                if (call instanceof HistoryEvent.TaskScheduled scheduled) {
                    activity(e, scheduled, event, parent);
                } else if (call instanceof HistoryEvent.SubOrchestrationInstanceCreated created) {
                    subOrchestration(e, created, event, parent);
                }
            } else if (event instanceof HistoryEvent.TimerFired fired && e.call(fired.timerId()) instanceof HistoryEvent.TimerCreated created) {
                tracer.spanBuilder("orchestration:" + name + ":timer").setSpanKind(SpanKind.INTERNAL).setParent(parent)
                        .setStartTimestamp(created.timestamp())
                        .setAttribute(TYPE, "timer").setAttribute(TASK_NAME, name).setAttribute(INSTANCE_ID, e.instanceId())
                        .setAttribute(EXECUTION_ID, e.executionId()).setAttribute(TASK_ID, (long) fired.timerId())
                        .setAttribute(FIRE_AT, fired.fireAt().toString())
                        .startSpan().end(fired.timestamp());
            } else if (event instanceof HistoryEvent.EventSent sent) {
                tracer.spanBuilder("orchestration_event:" + sent.name()).setSpanKind(SpanKind.PRODUCER)
                        .setParent(sent.traceContext() != null ? extract(sent.traceContext()) : parent)
                        .setStartTimestamp(sent.timestamp())
                        .setAttribute(TYPE, "event").setAttribute(TASK_NAME, sent.name()).setAttribute(INSTANCE_ID, e.instanceId())
                        .setAttribute(EXECUTION_ID, e.executionId()).setAttribute(TASK_ID, (long) sent.eventId())
                        .setAttribute(TARGET_INSTANCE_ID, sent.instanceId())
                        .startSpan().end(sent.timestamp());
            }
        }
        if (episodeSpans) {
            tracer.spanBuilder("orchestration:" + name + ":episode").setSpanKind(SpanKind.INTERNAL).setParent(parent)
                    .setStartTimestamp(e.startedAt())
                    .setAttribute(TYPE, "episode").setAttribute(TASK_NAME, name).setAttribute(INSTANCE_ID, e.instanceId())
                    .setAttribute(EXECUTION_ID, e.executionId()).setAttribute(STATUS, e.status().wireName())
                    .setAttribute(NEW_EVENTS, (long) e.newEvents().size())
                    .setAttribute(HISTORY_SOURCE, e.historySource().name().toLowerCase(java.util.Locale.ROOT))
                    .startSpan().end(e.startedAt().plus(e.duration()));
        }
        if (e.finished()) {
            orchestration(e, start, parent);
        }
    }

    private void activity(EpisodeReport e, HistoryEvent.TaskScheduled scheduled, HistoryEvent outcome, Context parent) {
        Span span = tracer.spanBuilder("activity:" + scheduled.name()).setSpanKind(SpanKind.CLIENT)
                .setParent(scheduled.traceContext() != null ? extract(scheduled.traceContext()) : parent)
                .setStartTimestamp(scheduled.timestamp())
                .setAttribute(TYPE, "activity").setAttribute(TASK_NAME, scheduled.name()).setAttribute(INSTANCE_ID, e.instanceId())
                .setAttribute(EXECUTION_ID, e.executionId()).setAttribute(TASK_ID, (long) scheduled.eventId())
                .startSpan();
        if (outcome instanceof HistoryEvent.TaskFailed failed) {
            fail(span, failed.failureDetails());
        }
        span.end(outcome.timestamp());
    }

    private void subOrchestration(EpisodeReport e, HistoryEvent.SubOrchestrationInstanceCreated created, HistoryEvent outcome,
                                  Context parent) {
        Span span = tracer.spanBuilder("orchestration:" + created.name()).setSpanKind(SpanKind.CLIENT)
                .setParent(created.traceContext() != null ? extract(created.traceContext()) : parent)
                .setStartTimestamp(created.timestamp())
                .setAttribute(TYPE, "orchestration").setAttribute(TASK_NAME, created.name())
                .setAttribute(INSTANCE_ID, created.instanceId()).setAttribute(TASK_ID, (long) created.eventId())
                .startSpan();
        if (outcome instanceof HistoryEvent.SubOrchestrationInstanceFailed failed) {
            fail(span, failed.failureDetails());
        }
        span.end(outcome.timestamp());
    }

    private void orchestration(EpisodeReport e, HistoryEvent.ExecutionStarted start, Context parent) {
        SpanBuilder builder = tracer.spanBuilder("orchestration:" + e.name()).setSpanKind(SpanKind.SERVER).setParent(parent)
                .setStartTimestamp(start.timestamp())
                .setAttribute(TYPE, "orchestration").setAttribute(TASK_NAME, e.name()).setAttribute(INSTANCE_ID, e.instanceId())
                .setAttribute(EXECUTION_ID, e.executionId()).setAttribute(STATUS, e.status().wireName());
        if (start.version() != null) {
            builder.setAttribute(VERSION, start.version());
        }
        Span span = builder.startSpan();
        if (e.status() == RuntimeStatus.FAILED) {
            FailureDetails failure = null;
            for (HistoryEvent event : e.newEvents()) {
                if (event instanceof HistoryEvent.ExecutionCompleted c) {
                    failure = c.failureDetails();
                }
            }
            fail(span, failure);
        }
        Instant end = e.startedAt().plus(e.duration());
        span.end(end.isBefore(start.timestamp()) ? start.timestamp() : end);
    }

    private static void fail(Span span, FailureDetails failure) {
        span.setStatus(StatusCode.ERROR, failure == null ? "failed" : failure.errorType() + ": " + failure.message());
    }

    // ---- contexts --------------------------------------------------------------------------------------------

    /** The context a stored trace context stands for. */
    static Context extract(TraceContext trace) {
        Map<String, String> carrier = new HashMap<>(2);
        carrier.put("traceparent", trace.traceParent());
        if (trace.traceState() != null) {
            carrier.put("tracestate", trace.traceState());
        }
        return W3C.extract(Context.root(), carrier, GETTER);
    }

    /** The stored form of the span context of {@code context}, or null when it has none. */
    static TraceContext toTraceContext(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3C.inject(context, carrier, Map::put);
        return TraceContext.parse(carrier.get("traceparent"), carrier.get("tracestate"));
    }

    /**
     * The parent of an execution's spans: the context stored with its start, or for an execution started without one,
     * a context whose ids are derived from the instance and execution ids (the same in every worker).
     */
    private static Context parentOf(TraceContext stored, String instanceId, String executionId) {
        if (stored != null) {
            return extract(stored);
        }
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest((instanceId + '\u0000' + executionId).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        String hex = HexFormat.of().formatHex(hash);
        SpanContext synthetic = SpanContext.createFromRemoteParent(hex.substring(0, 32), hex.substring(32, 48),
                TraceFlags.getSampled(), TraceState.getDefault());
        return Context.root().with(Span.wrap(synthetic));
    }

    @Override
    public String toString() {
        return "TaskHubTracing";
    }
}

package dev.taskhub.opentelemetry;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.history.TraceContext;
import dev.taskhub.provider.inmemory.InMemoryStorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TaskHubTracingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private OpenTelemetrySdk sdk;
    private InMemoryStorageProvider provider;
    private TaskHubClient client;
    private TaskHubWorker worker;

    @BeforeEach
    void start() {
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
                .build();
        TaskHubTracing tracing = TaskHubTracing.of(sdk);
        provider = InMemoryStorageProvider.create("TracingHub", Clock.systemUTC());
        provider.createTaskHub();
        client = new TaskHubClient(provider).withObserver(tracing);
        worker = TaskHubWorker.builder(provider)
                .addOrchestrator("Order", ctx -> {
                    String a = ctx.callActivity("Reserve", "x", String.class).await();
                    ctx.createTimer(Duration.ofMillis(50)).await();
                    String child = ctx.callSubOrchestrator("Ship", a, String.class).await();
                    try {
                        ctx.callActivity("Charge", null, String.class).await();
                    } catch (RuntimeException expected) {
                        // the failed activity is part of the trace
                    }
                    ctx.sendEvent(ctx.getInstanceId() + "-listener", "Shipped", child);
                    return child;
                })
                .addOrchestrator("Ship", ctx -> ctx.callActivity("Pack", ctx.getInput(String.class), String.class).await())
                .addOrchestrator("Listener", ctx -> ctx.waitForExternalEvent("Shipped", String.class).await())
                .addOrchestrator("Boom", ctx -> {
                    throw new IllegalStateException("bad order");
                })
                .addActivity("Reserve", ctx -> "reserved")
                .addActivity("Pack", ctx -> "packed " + ctx.getInput(String.class))
                .addActivity("Charge", ctx -> {
                    throw new IllegalArgumentException("card declined");
                })
                .options(WorkerOptions.builder().addObserver(tracing).build())
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        worker.close();
        provider.close();
        sdk.close();
    }

    @Test
    void oneTrace_runsFromTheCallersSpan_throughEveryPieceOfWork_eachOnce() {
        Span request = sdk.getTracer("test").spanBuilder("POST /orders").setSpanKind(SpanKind.SERVER).startSpan();
        String id;
        try (Scope ignored = request.makeCurrent()) {
            id = client.scheduleNewOrchestrationInstance("Order", null,
                    dev.taskhub.client.NewOrchestrationOptions.builder().instanceId("order-1").build());
            client.scheduleNewOrchestrationInstance("Listener", null,
                    dev.taskhub.client.NewOrchestrationOptions.builder().instanceId("order-1-listener").build());
        } finally {
            request.end();
        }
        assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(client.waitForInstanceCompletion("order-1-listener", WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        await().atMost(WAIT).until(() -> named("orchestration:Listener", SpanKind.SERVER).size() == 1
                && named("orchestration:Order", SpanKind.SERVER).size() == 1);

        String trace = request.getSpanContext().getTraceId();
        assertThat(exporter.getFinishedSpanItems()).allSatisfy(s -> assertThat(s.getTraceId()).as(s.getName()).isEqualTo(trace));

        SpanData create = one("create_orchestration:Order", SpanKind.PRODUCER);
        assertThat(create.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(create.getAttributes().get(TaskHubTracing.INSTANCE_ID)).isEqualTo("order-1");

        // the start carries the create span's context in the history
        HistoryEvent.ExecutionStarted started = provider.getHistory(id).stream()
                .filter(HistoryEvent.ExecutionStarted.class::isInstance).map(HistoryEvent.ExecutionStarted.class::cast)
                .findFirst().orElseThrow();
        assertThat(started.traceContext().spanId()).isEqualTo(create.getSpanId());

        SpanData orchestration = one("orchestration:Order", SpanKind.SERVER);
        assertThat(orchestration.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(orchestration.getStartEpochNanos()).isEqualTo(nanos(started.timestamp()));
        assertThat(orchestration.getAttributes().get(TaskHubTracing.TYPE)).isEqualTo("orchestration");
        assertThat(orchestration.getAttributes().get(TaskHubTracing.TASK_NAME)).isEqualTo("Order");
        assertThat(orchestration.getAttributes().get(TaskHubTracing.EXECUTION_ID)).isEqualTo(started.executionId());
        assertThat(orchestration.getAttributes().get(TaskHubTracing.STATUS)).isEqualTo("Completed");

        SpanData reserve = one("activity:Reserve", SpanKind.CLIENT);
        assertThat(reserve.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(reserve.getAttributes().get(TaskHubTracing.TYPE)).isEqualTo("activity");
        assertThat(reserve.getAttributes().get(TaskHubTracing.TASK_ID)).isEqualTo(0L);
        assertThat(reserve.getAttributes().get(TaskHubTracing.INSTANCE_ID)).isEqualTo("order-1");

        SpanData timer = one("orchestration:Order:timer", SpanKind.INTERNAL);
        assertThat(timer.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(TimeUnit.NANOSECONDS.toMillis(timer.getEndEpochNanos() - timer.getStartEpochNanos())).isGreaterThanOrEqualTo(50);

        SpanData ship = one("orchestration:Ship", SpanKind.CLIENT);
        assertThat(ship.getParentSpanId()).isEqualTo(create.getSpanId());
        // the sub-orchestration's own spans continue the same trace
        SpanData shipRun = one("orchestration:Ship", SpanKind.SERVER);
        assertThat(shipRun.getParentSpanId()).isEqualTo(create.getSpanId());
        assertThat(one("activity:Pack", SpanKind.CLIENT).getAttributes().get(TaskHubTracing.INSTANCE_ID))
                .isEqualTo(shipRun.getAttributes().get(TaskHubTracing.INSTANCE_ID));

        SpanData charge = one("activity:Charge", SpanKind.CLIENT);
        assertThat(charge.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(charge.getStatus().getDescription()).contains("card declined");

        SpanData sent = one("orchestration_event:Shipped", SpanKind.PRODUCER);
        assertThat(sent.getAttributes().get(TaskHubTracing.TARGET_INSTANCE_ID)).isEqualTo("order-1-listener");

        // each piece of work once, though the orchestrator replayed its history at every episode
        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName).containsExactlyInAnyOrder(
                "POST /orders", "create_orchestration:Order", "create_orchestration:Listener", "orchestration:Order",
                "activity:Reserve", "orchestration:Order:timer", "orchestration:Ship", "orchestration:Ship", "activity:Pack",
                "activity:Charge", "orchestration_event:Shipped", "orchestration:Listener");
    }

    @Test
    void withEpisodeSpans_everyCommittedEpisodeIsASpanOnce_inTheOrchestrationsTrace() {
        InMemoryStorageProvider hub = InMemoryStorageProvider.create("EpisodeSpans", Clock.systemUTC());
        hub.createTaskHub();
        TaskHubTracing tracing = TaskHubTracing.of(sdk).withEpisodeSpans();
        TaskHubClient traced = new TaskHubClient(hub).withObserver(tracing);
        try (TaskHubWorker w = TaskHubWorker.builder(hub)
                .addOrchestrator("Two", ctx -> ctx.callActivity("Step", 1, Integer.class).await()
                        + ctx.callActivity("Step", 2, Integer.class).await())
                .addActivity("Step", ctx -> ctx.getInput(Integer.class) * 10)
                .options(WorkerOptions.builder().addObserver(tracing).build()).build().start()) {
            String id = traced.scheduleNewOrchestrationInstance("Two", null);
            assertThat(traced.waitForInstanceCompletion(id, WAIT).readOutputAs(Integer.class)).isEqualTo(30);
            await().atMost(WAIT).until(() -> named("orchestration:Two", SpanKind.SERVER).size() == 1);

            // three episodes: the start, each activity's result; the orchestrator replayed its history in each
            List<SpanData> episodes = named("orchestration:Two:episode", SpanKind.INTERNAL);
            assertThat(episodes).hasSize(3);
            SpanData create = one("create_orchestration:Two", SpanKind.PRODUCER);
            assertThat(episodes).allSatisfy(e -> {
                assertThat(e.getTraceId()).isEqualTo(create.getTraceId());
                assertThat(e.getParentSpanId()).isEqualTo(create.getSpanId());
                assertThat(e.getAttributes().get(TaskHubTracing.TYPE)).isEqualTo("episode");
                assertThat(e.getAttributes().get(TaskHubTracing.INSTANCE_ID)).isEqualTo(id);
                assertThat(e.getAttributes().get(TaskHubTracing.NEW_EVENTS)).isPositive();
            });
            assertThat(episodes).extracting(e -> e.getAttributes().get(TaskHubTracing.STATUS))
                    .containsExactlyInAnyOrder("Running", "Running", "Completed");
        } finally {
            hub.close();
        }
    }

    @Test
    void aFailedOrchestration_endsItsSpanWithTheError() {
        String id = client.scheduleNewOrchestrationInstance("Boom", null);
        assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
        await().atMost(WAIT).until(() -> named("orchestration:Boom", SpanKind.SERVER).size() == 1);
        SpanData span = one("orchestration:Boom", SpanKind.SERVER);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span.getStatus().getDescription()).contains("bad order");
        assertThat(span.getAttributes().get(TaskHubTracing.STATUS)).isEqualTo("Failed");
        // no caller span: the start is a root of its own trace, and the orchestration its child
        SpanData create = one("create_orchestration:Boom", SpanKind.PRODUCER);
        assertThat(create.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getParentSpanId()).isEqualTo(create.getSpanId());
    }

    @Test
    void anOrchestrationStartedWithoutTracing_stillKeepsItsSpansInOneTrace() {
        TaskHubClient untraced = new TaskHubClient(provider);
        String id = untraced.scheduleNewOrchestrationInstance("Ship", "box");
        assertThat(untraced.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        await().atMost(WAIT).until(() -> named("orchestration:Ship", SpanKind.SERVER).size() == 1);
        SpanData run = one("orchestration:Ship", SpanKind.SERVER);
        SpanData pack = one("activity:Pack", SpanKind.CLIENT);
        assertThat(pack.getTraceId()).isEqualTo(run.getTraceId());
        assertThat(pack.getParentSpanId()).isEqualTo(run.getParentSpanId());
        assertThat(named("create_orchestration:Ship", SpanKind.PRODUCER)).isEmpty();
    }

    @Test
    void aStartWithAnExplicitTraceContext_joinsThatTrace_asAnHttpStartDoes() {
        TraceContext incoming = TraceContext.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null);
        String id = client.scheduleNewOrchestrationInstance("Ship", "box",
                dev.taskhub.client.NewOrchestrationOptions.builder().traceContext(incoming).build());
        assertThat(client.waitForInstanceCompletion(id, WAIT).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        await().atMost(WAIT).until(() -> named("orchestration:Ship", SpanKind.SERVER).size() == 1);
        SpanData create = one("create_orchestration:Ship", SpanKind.PRODUCER);
        assertThat(create.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(create.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(one("activity:Pack", SpanKind.CLIENT).getParentSpanId()).isEqualTo(create.getSpanId());
    }

    @Test
    void aRaisedEvent_isASpanOfTheCallersTrace() {
        String id = client.scheduleNewOrchestrationInstance("Listener", null);
        client.waitForInstanceStart(id, WAIT);
        Span caller = sdk.getTracer("test").spanBuilder("caller").startSpan();
        try (Scope ignored = caller.makeCurrent()) {
            client.raiseEvent(id, "Shipped", "now");
        } finally {
            caller.end();
        }
        SpanData event = one("orchestration_event:Shipped", SpanKind.PRODUCER);
        assertThat(event.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(event.getAttributes().get(TaskHubTracing.TARGET_INSTANCE_ID)).isEqualTo(id);
    }

    @Test
    void theStoredContext_survivesSerialisation_andNamesTheSameSpan() {
        Span span = sdk.getTracer("test").spanBuilder("s").startSpan();
        TraceContext stored = TaskHubTracing.toTraceContext(io.opentelemetry.context.Context.root().with(span));
        span.end();
        String json = dev.taskhub.convert.HistoryCodec.encode(new HistoryEvent.TaskScheduled(0, Instant.EPOCH, "A", null, stored));
        TraceContext read = ((HistoryEvent.TaskScheduled) dev.taskhub.convert.HistoryCodec.decode(json)).traceContext();
        assertThat(Span.fromContext(TaskHubTracing.extract(read)).getSpanContext().getSpanId()).isEqualTo(span.getSpanContext().getSpanId());
        assertThat(Span.fromContext(TaskHubTracing.extract(read)).getSpanContext().getTraceId()).isEqualTo(span.getSpanContext().getTraceId());
        assertThat(Span.fromContext(TaskHubTracing.extract(read)).getSpanContext().isRemote()).isTrue();
    }

    private List<SpanData> named(String name, SpanKind kind) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name) && s.getKind() == kind).toList();
    }

    private SpanData one(String name, SpanKind kind) {
        List<SpanData> spans = named(name, kind);
        assertThat(spans).as(name + " (" + kind + ")").hasSize(1);
        return spans.get(0);
    }

    private static long nanos(Instant t) {
        return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
    }
}

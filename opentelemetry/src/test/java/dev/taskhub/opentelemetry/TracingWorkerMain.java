package dev.taskhub.opentelemetry;

import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;

/**
 * A worker process for {@link TracingAcrossWorkerProcessesTest}: args {@code <url> <hub> <name>}. Prints {@code READY}
 * once started, then one {@code SPAN} line per exported span; stops when its standard input closes. The worker named
 * {@code A} hangs in its third activity (printing {@code BLOCKED}, the instance and the task id), to be killed there.
 */
public final class TracingWorkerMain {
    static final String ORCHESTRATOR = "Chain";
    static final String ACTIVITY = "Step";
    static final int STEPS = 5;

    private TracingWorkerMain() {}

    public static void main(String[] args) throws IOException {
        SpanExporter printer = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                for (SpanData s : spans) {
                    Long task = s.getAttributes().get(TaskHubTracing.TASK_ID);
                    System.out.println(String.join("\t", "SPAN", s.getName(), s.getKind().name(), s.getTraceId(), s.getSpanId(),
                            s.getParentSpanId(), String.valueOf(s.getAttributes().get(TaskHubTracing.INSTANCE_ID)),
                            String.valueOf(task)));
                }
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(printer)).build()).build();
        StorageProvider provider = PostgresForTests.provider(args[0], args[1]);
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        TaskHubWorker worker = TaskHubWorker.builder(provider)
                .addOrchestrator(ORCHESTRATOR, ctx -> {
                    int sum = 0;
                    for (int i = 0; i < STEPS; i++) {
                        sum += ctx.callActivity(ACTIVITY, i, Integer.class).await();
                    }
                    return sum;
                })
                .addActivity(ACTIVITY, ctx -> {
                    if (args[2].equals("A") && runs.incrementAndGet() == 3) {
                        System.out.println("BLOCKED\t" + ctx.getInstanceId() + "\t" + ctx.getTaskId());
                        Thread.sleep(120_000);
                    }
                    Thread.sleep(100);
                    return ctx.getInput(Integer.class);
                })
                .options(WorkerOptions.builder().lockLease(Duration.ofSeconds(2)).pollWait(Duration.ofMillis(200))
                        .orchestrationConcurrency(1).orchestrationBatchSize(2).activityConcurrency(4)
                        .addObserver(TaskHubTracing.of(sdk)).build())
                .build()
                .start();
        System.out.println("READY");
        while (System.in.read() >= 0) {
            // run until the test closes our input
        }
        worker.close();
        provider.close();
        sdk.close();
    }
}

package dev.taskhub.opentelemetry;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.spi.StorageProvider;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace across processes on PostgreSQL: the test starts orchestrations under a span of its own; two worker
 * processes run them and print their spans; one worker is killed in the middle and the other takes its instances over.
 * Every span belongs to the test's trace, each is a child of its instance's start, and none is emitted twice.
 */
class TracingAcrossWorkerProcessesTest {
    private static final int INSTANCES = 6;
    private static final int BATCH = 2;

    /** One span line of a worker process. */
    record Printed(String worker, String name, String kind, String traceId, String spanId, String parentId, String instanceId,
                   String taskId) {
        String key() {
            return name + "/" + kind + "/" + instanceId + "/" + taskId;
        }
    }

    @Test
    void aTrace_followsTheWorkAcrossWorkerProcesses_andAKilledWorkerDuplicatesNoSpan() throws Exception {
        String url = PostgresForTests.url();
        String hub = PostgresForTests.hubName();
        StorageProvider provider = PostgresForTests.provider(url, hub);
        provider.createTaskHub();
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
        List<Process> workers = new ArrayList<>();
        List<Printed> printed = new CopyOnWriteArrayList<>();
        try {
            String java = ProcessHandle.current().info().command()
                    .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
            for (String name : List.of("A", "B")) {
                Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", TracingWorkerMain.class.getName(), url, hub, name)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                workers.add(p);
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("READY");
                Thread reader = new Thread(() -> read(name, out, printed), "spans-of-worker-" + name);
                reader.setDaemon(true);
                reader.start();
            }

            TaskHubClient client = new TaskHubClient(provider).withObserver(TaskHubTracing.of(sdk));
            Span request = sdk.getTracer("test").spanBuilder("POST /api/orchestrators/Chain").startSpan();
            List<String> ids = new ArrayList<>();
            try (Scope ignored = request.makeCurrent()) {
                for (int i = 0; i < INSTANCES; i++) {
                    ids.add(client.scheduleNewOrchestrationInstance(TracingWorkerMain.ORCHESTRATOR, null));
                }
            } finally {
                request.end();
            }

            // kill worker A abruptly while it holds an activity (its third), in the middle of the work
            await().atMost(Duration.ofSeconds(60)).until(() -> printed.stream().anyMatch(p -> p.name().equals("BLOCKED")));
            workers.get(0).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Printed blocked = printed.stream().filter(p -> p.name().equals("BLOCKED")).findFirst().orElseThrow();
            printed.remove(blocked);

            for (String id : ids) {
                assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(60)).runtimeStatus()).as(id)
                        .isEqualTo(RuntimeStatus.COMPLETED);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> printed.stream()
                    .filter(p -> p.name().equals("orchestration:Chain") && p.kind().equals("SERVER")).count() >= INSTANCES);

            String trace = request.getSpanContext().getTraceId();
            Map<String, SpanData> creates = exporter.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("create_orchestration:Chain"))
                    .collect(Collectors.toMap(s -> s.getAttributes().get(TaskHubTracing.INSTANCE_ID), Function.identity()));
            assertThat(creates.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(creates.values()).allSatisfy(c -> assertThat(c.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId()));

            // every span of the workers: the test's trace, a child of its instance's start
            assertThat(printed).isNotEmpty().allSatisfy(p -> {
                assertThat(p.traceId()).as(p.toString()).isEqualTo(trace);
                assertThat(p.parentId()).as(p.toString()).isEqualTo(creates.get(p.instanceId()).getSpanId());
            });
            // none twice, though A died holding work that B then replayed and finished
            Map<String, Long> counts = printed.stream().collect(Collectors.groupingBy(Printed::key, Collectors.counting()));
            assertThat(counts).allSatisfy((key, count) -> assertThat(count).as(key).isEqualTo(1L));
            assertThat(printed.stream().filter(p -> p.name().equals("orchestration:Chain"))).hasSize(INSTANCES);
            // A can have committed a batch and died before printing its spans: at most one batch's spans are missing
            assertThat(printed.stream().filter(p -> p.name().equals("activity:Step")).count())
                    .isBetween((long) INSTANCES * TracingWorkerMain.STEPS - BATCH, (long) INSTANCES * TracingWorkerMain.STEPS);
            // B ran the activity A died in (once its lease expired), and reported it once
            assertThat(printed.stream().filter(p -> p.name().equals("activity:Step") && p.instanceId().equals(blocked.instanceId())
                    && p.taskId().equals(blocked.taskId()))).singleElement().extracting(Printed::worker).isEqualTo("B");
        } finally {
            for (Process p : workers) {
                p.getOutputStream().close();
            }
            for (Process p : workers) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            sdk.close();
            try {
                provider.deleteTaskHub();
            } finally {
                provider.close();
            }
        }
    }

    private static void read(String worker, BufferedReader out, List<Printed> printed) {
        try {
            for (String line; (line = out.readLine()) != null; ) {
                String[] f = line.split("\t");
                if (f.length == 3 && f[0].equals("BLOCKED")) {
                    printed.add(new Printed(worker, "BLOCKED", "", "", "", "", f[1], f[2]));
                } else if (f.length == 8 && f[0].equals("SPAN")) {
                    printed.add(new Printed(worker, f[1], f[2], f[3], f[4], f[5], f[6], f[7]));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }
}

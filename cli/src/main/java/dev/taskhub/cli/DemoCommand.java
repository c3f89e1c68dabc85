package dev.taskhub.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.samples.Counter;
import dev.taskhub.samples.FanOutFanIn;
import dev.taskhub.samples.HelloSequence;
import dev.taskhub.samples.HumanApproval;
import dev.taskhub.samples.Monitor;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** Runs every sample on an in-memory task hub and shows what happens. Exit 0 only when all behave as expected. */
@Command(name = "demo", description = "Runs the samples (hello sequence, fan-out/fan-in, human approval with and "
        + "without a timeout, counter with continue-as-new, monitor) on an in-memory task hub and shows what happens.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--timeout", defaultValue = "30", paramLabel = "<seconds>",
            description = "How long to wait for each sample (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PrintWriter out;
    private TaskHubClient client;
    private String lastShown;
    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        String hub = "TaskhubDemo" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        long started = System.nanoTime();
        try (StorageProvider provider = StorageProviders.open("inmemory", ProviderConfig.of("inmemory", hub))) {
            provider.createTaskHub();
            try (TaskHubWorker worker = TaskHubWorker.builder(provider).addModulesFromClassPath().build().start()) {
                client = new TaskHubClient(provider);
                out.println("Taskhub demo: in-memory task hub '" + hub + "', a worker with "
                        + worker.registry().orchestratorNames().size() + " orchestrators and "
                        + worker.registry().activityNames().size() + " activities.");
                out.println();
                runAll();
            } finally {
                provider.deleteTaskHub();
            }
        }
        String elapsed = Text.duration(Duration.ofNanos(System.nanoTime() - started));
        if (failures.isEmpty()) {
            out.println("All 6 samples completed as expected in " + elapsed + ".");
            out.flush();
            return 0;
        }
        out.println(failures.size() + " of 6 samples did not behave as expected (" + elapsed + "):");
        failures.forEach(f -> out.println("  - " + f));
        out.flush();
        return 1;
    }

    private void runAll() {
        int[] counted = {0};
        step(1, "Hello sequence", HelloSequence.ORCHESTRATOR, "function chaining: three activities, one after another",
                null, id -> { }, "[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
        step(2, "Fan-out/fan-in", FanOutFanIn.ORCHESTRATOR, "10 activities in parallel, results summed (2+4+...+20)",
                10, id -> { }, "110");
        step(3, "Human approval", HumanApproval.ORCHESTRATOR, "waits for an 'Approval' event or a 30 s timer; we approve",
                30, id -> {
                    awaitCustomStatus(id, "\"Waiting for approval\"");
                    say("raising event 'Approval' = true");
                    client.raiseEvent(id, HumanApproval.EVENT, true);
                }, "\"Approved\"");
        step(4, "Human approval, timed out", HumanApproval.ORCHESTRATOR, "nobody approves within 2 s: the durable timer wins",
                2, id -> say("not raising any event; waiting for the 2 s timer"), "\"Escalated: no approval in time\"");
        step(5, "Counter", Counter.ORCHESTRATOR, "an eternal orchestration that continues as new after each event",
                0, id -> {
                    awaitCustomStatus(id, "0");
                    for (String op : List.of("add", "add", "stop")) {
                        say("raising event '" + Counter.EVENT + "' = \"" + op + "\"");
                        client.raiseEvent(id, Counter.EVENT, op);
                        if (op.equals("add")) {
                            awaitCustomStatus(id, String.valueOf(++counted[0]));
                        }
                    }
                }, "2");
        step(6, "Monitor", Monitor.ORCHESTRATOR, "polls a job on a durable timer until it reports done",
                new Monitor.Request("job-42", 3, 300), id -> { }, "\"Job job-42 completed after 3 checks\"");
    }

    private void step(int n, String title, String orchestrator, String what, Object input, Consumer<String> interact,
                      String expectedOutput) {
        lastShown = null;
        out.println("[" + n + "/6] " + title + " (" + orchestrator + "): " + what);
        long t0 = System.nanoTime();
        try {
            String id = client.scheduleNewOrchestrationInstance(orchestrator, input);
            say("started instance " + id + (input == null ? "" : " with input " + MAPPER.writeValueAsString(input)));
            out.flush();
            interact.accept(id);
            OrchestrationMetadata done = awaitShowingProgress(id);
            String elapsed = Text.duration(Duration.ofNanos(System.nanoTime() - t0));
            boolean ok = done.runtimeStatus() == RuntimeStatus.COMPLETED
                    && Objects.equals(normalize(done.serializedOutput()), normalize(expectedOutput));
            say(done.runtimeStatus().wireName() + " in " + elapsed + ", output: " + done.serializedOutput()
                    + (ok ? "" : "   <-- expected Completed with " + expectedOutput));
            done.failureDetails().ifPresent(f -> say("failure: " + f));
            if (!ok) {
                failures.add(title + ": " + done.runtimeStatus().wireName() + ", output " + done.serializedOutput());
            }
        } catch (RuntimeException | JsonProcessingException e) {
            say("FAILED: " + e.getMessage());
            failures.add(title + ": " + e.getMessage());
        }
        out.println();
        out.flush();
    }

    private static String normalize(String json) {
        return json == null ? null : WireFormat.write(WireFormat.value(json));
    }

    private void say(String text) {
        out.println("      " + text);
        out.flush();
    }

    /** Waits for the end, printing each new status / custom status as it appears. */
    private OrchestrationMetadata awaitShowingProgress(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (true) {
            OrchestrationMetadata m = client.getInstanceMetadata(id, true).orElseThrow();
            if (m.isCompleted() || System.nanoTime() > deadline) {
                return m;
            }
            show(m);
            sleep(25);
        }
    }

    /** Waits until the custom status is the given JSON (or the instance finished), showing progress. */
    private void awaitCustomStatus(String id, String json) {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (System.nanoTime() < deadline) {
            OrchestrationMetadata m = client.getInstanceMetadata(id, false).orElseThrow();
            show(m);
            if (json.equals(m.serializedCustomStatus()) || m.isCompleted()) {
                return;
            }
            sleep(25);
        }
    }

    private void show(OrchestrationMetadata m) {
        if (m.isCompleted()) {
            return;
        }
        String now = m.runtimeStatus().wireName()
                + (m.serializedCustomStatus() == null ? "" : ", custom status " + m.serializedCustomStatus());
        String execution = m.executionId();
        if (!now.equals(lastShown)) {
            say("... " + now + (execution == null ? "" : "  (execution " + execution.substring(0, Math.min(8, execution.length())) + ")"));
            lastShown = now;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}

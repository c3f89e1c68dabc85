package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.samples.SamplesModule;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wire format read back from what a real server answers, for instances whose histories hold every kind of event
 * (activities and sub-orchestrations that succeed and fail, timers, events sent and raised, suspension, termination,
 * continue-as-new, rewind): written again, it is the same JSON, for every combination of the status route's flags.
 */
class WireFormatOverHttpTest {
    private static final String KEY = "wire-key-" + UUID.randomUUID();
    private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();

    private StorageProvider provider;
    private TaskHubWorker worker;
    private TaskHubClient client;
    private ManagementServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        provider = StorageProviders.open(null, ProviderConfig.of("inmemory", "Wire" + UUID.randomUUID().toString().substring(0, 8)));
        worker = TaskHubWorker.builder(provider)
                .addModule(new SamplesModule())
                .addOrchestrator("Everything", ctx -> {
                    ctx.setCustomStatus(Map.of("step", 1));
                    String hello = ctx.callActivity("Hello", "Tokyo", String.class).await();
                    Integer doubled = ctx.callSubOrchestrator("Child", 21, Integer.class).await();
                    String caught = "";
                    try {
                        ctx.callActivity("Bad", null, String.class).await();
                    } catch (TaskFailedException e) {
                        caught += "activity";
                    }
                    try {
                        ctx.callSubOrchestrator("BadChild", null, String.class).await();
                    } catch (TaskFailedException e) {
                        caught += "+child";
                    }
                    ctx.createTimer(Duration.ofMillis(1)).await();
                    ctx.sendEvent("wait-suspended", "Ping", List.of(1, "two"));
                    Object go = ctx.waitForExternalEvent("go", Object.class).await();
                    return Map.of("hello", hello, "doubled", doubled, "caught", caught, "go", go);
                })
                .addOrchestrator("Child", ctx -> ctx.getInput(Integer.class) * 2)
                .addOrchestrator("BadChild", ctx -> {
                    throw new IllegalStateException("child broke");
                })
                .addOrchestrator("Fails", ctx -> ctx.callActivity("Bad", null, String.class).await())
                .addOrchestrator("FailOnce", ctx -> ctx.callActivity("Flaky", null, String.class).await())
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("go", Object.class).await())
                .addOrchestrator("Loop", ctx -> {
                    int n = ctx.getInput(Integer.class);
                    if (n < 2) {
                        ctx.continueAsNew(n + 1);
                        return null;
                    }
                    return n;
                })
                .addActivity("Hello", ctx -> "Hello " + ctx.getInput(String.class) + "!")
                .addActivity("Bad", ctx -> {
                    throw new IllegalArgumentException("bad input");
                })
                .addActivity("Flaky", ctx -> {
                    if (FAIL_NEXT.getAndSet(false)) {
                        throw new IllegalStateException("first delivery fails");
                    }
                    return "recovered";
                })
                .build().start();
        client = new TaskHubClient(provider);
        server = ManagementServer.builder(client).registry(worker.registry()).port(0).systemKey(KEY).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        worker.close();
        provider.deleteTaskHub();
        provider.close();
    }

    private void startInstance(String name, Object input, String id) {
        client.scheduleNewOrchestrationInstance(name, input, NewOrchestrationOptions.withInstanceId(id));
    }

    private void await(String id, RuntimeStatus status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (client.getInstanceMetadata(id, false).map(OrchestrationMetadata::runtimeStatus).orElse(null) != status) {
            assertThat(System.nanoTime()).as("%s reaches %s in time", id, status).isLessThan(deadline);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void statusObjectsAndPages_readBackAndWrittenAgain_areTheSameJson() {
        startInstance("WaitForGo", null, "wait-suspended");
        startInstance("WaitForGo", "to terminate", "wait-terminated");
        startInstance("Everything", null, "everything");
        startInstance("Fails", null, "fails");
        startInstance("Loop", 0, "loop");
        startInstance("E1_HelloSequence", null, "hello");
        FAIL_NEXT.set(true);
        startInstance("FailOnce", null, "rewound");

        await("wait-suspended", RuntimeStatus.RUNNING);
        client.suspend("wait-suspended", "hold on");
        await("wait-suspended", RuntimeStatus.SUSPENDED);
        await("wait-terminated", RuntimeStatus.RUNNING);
        client.terminate("wait-terminated", "no longer needed");
        await("everything", RuntimeStatus.RUNNING);
        client.raiseEvent("everything", "go", Map.of("approved", true));
        await("rewound", RuntimeStatus.FAILED);
        client.rewind("rewound", "fixed");
        for (String id : List.of("wait-terminated", "everything", "fails", "loop", "hello")) {
            client.waitForInstanceCompletion(id, Duration.ofSeconds(20));
        }
        await("rewound", RuntimeStatus.COMPLETED);   // FAILED is already terminal: wait for the rewind to finish
        List<HistoryEvent> everything = client.getHistory("everything");
        assertThat(everything.stream().map(HistoryEvent::eventType).distinct()).contains("TaskCompleted", "TaskFailed",
                "SubOrchestrationInstanceCompleted", "SubOrchestrationInstanceFailed", "TimerFired", "EventSent", "EventRaised");
        assertThat(client.getHistory("rewound").stream().map(HistoryEvent::eventType)).contains("ExecutionRewound");

        int checked = 0;
        for (String id : List.of("wait-suspended", "wait-terminated", "everything", "fails", "loop", "hello", "rewound")) {
            for (boolean showHistory : List.of(true, false)) {
                for (boolean showHistoryOutput : List.of(true, false)) {
                    for (boolean showInput : List.of(true, false)) {
                        String body = get("/instances/" + id + "?showHistory=" + showHistory + "&showHistoryOutput="
                                + showHistoryOutput + "&showInput=" + showInput);
                        JsonNode json = WireFormat.read(body).orElseThrow();
                        OrchestrationMetadata read = WireFormat.readStatus(json);
                        assertThat(WireFormat.write(WireFormat.status(read, showHistoryOutput)))
                                .as("%s showHistory=%s showHistoryOutput=%s showInput=%s", id, showHistory, showHistoryOutput, showInput)
                                .isEqualTo(body);
                        assertThat(read.instanceId()).isEqualTo(id);
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(56);

        for (String query : List.of("?showInput=true", "?showInput=false", "?top=2&runtimeStatus=Completed")) {
            String page = get("/instances" + query);
            List<OrchestrationMetadata> instances = WireFormat.readStatuses(WireFormat.read(page).orElseThrow());
            assertThat(instances).isNotEmpty();
            assertThat(WireFormat.write(WireFormat.statuses(instances))).as(query).isEqualTo(page);
        }
    }

    private String get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
                .header(ManagementServer.KEY_HEADER, KEY).timeout(Duration.ofSeconds(30)).GET().build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s: %s", pathAndQuery, r.body()).isIn(200, 202);
            return r.body();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(pathAndQuery, e);
        }
    }
}

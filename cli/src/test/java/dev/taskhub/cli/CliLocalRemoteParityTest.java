package dev.taskhub.cli;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.query.RetentionPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same task hub managed directly and through the HTTP API ({@code --url}): every read subcommand prints exactly
 * the same text and the same JSON in both modes, for instances in every state and with every kind of history event;
 * the write subcommands print the same for twin instances.
 */
class CliLocalRemoteParityTest {
    private static final String KEY = "parity-key-" + UUID.randomUUID();
    private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();

    private final CliRunner cli = new CliRunner(Map.of());
    private TestHub fixture;
    private String hub;
    private TaskHubClient client;
    private ManagementServer server;

    @BeforeEach
    void start() {
        fixture = TestHub.start("Parity", b -> b
                .addOrchestrator("Everything", ctx -> {
                    ctx.setCustomStatus(Map.of("step", "started"));
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
                    ctx.sendEvent("nobody", "Ping", List.of(1, "two"));
                    Object go = ctx.waitForExternalEvent("go", Object.class).await();
                    return Map.of("doubled", doubled, "caught", caught, "go", go);
                })
                .addOrchestrator("Child", ctx -> ctx.getInput(Integer.class) * 2)
                .addOrchestrator("BadChild", ctx -> {
                    throw new IllegalStateException("child broke");
                })
                .addOrchestrator("Fails", ctx -> ctx.callActivity("Bad", null, String.class).await())
                .addOrchestrator("FailOnce", ctx -> ctx.callActivity("Flaky", null, String.class).await())
                .addOrchestrator("WaitForGo", ctx -> {
                    ctx.setCustomStatus("waiting");
                    return ctx.waitForExternalEvent("go", Object.class).await();
                })
                .addActivity("Bad", ctx -> {
                    throw new IllegalArgumentException("bad input");
                })
                .addActivity("Flaky", ctx -> {
                    if (FAIL_NEXT.getAndSet(false)) {
                        throw new IllegalStateException("first delivery fails");
                    }
                    return "recovered";
                }));
        hub = fixture.name;
        client = fixture.client;
        server = fixture.serve(KEY);
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    /** Runs the command directly on the hub and through the server; both succeed; returns {local, remote} stdout. */
    private String[] both(String... args) {
        List<String> local = new ArrayList<>(List.of(args));
        local.addAll(List.of("--task-hub-name", hub));
        List<String> remote = new ArrayList<>(local);
        remote.addAll(List.of("--url", server.baseUrl(), "--key", KEY));
        CliRunner.Result l = cli.run(local.toArray(String[]::new));
        CliRunner.Result r = cli.run(remote.toArray(String[]::new));
        assertThat(l.exitCode()).as("local %s: %s", local, l.err()).isZero();
        assertThat(r.exitCode()).as("remote %s: %s", remote, r.err()).isZero();
        return new String[] {l.out(), r.out()};
    }

    private void same(String... args) {
        String[] out = both(args);
        assertThat(out[1]).as("remote %s", List.of(args)).isEqualTo(out[0]).isNotBlank();
    }

    private void start(String name, Object input, String id) {
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
    void readSubcommands_printTheSame_directlyAndThroughTheHttpApi() {
        start("Everything", null, "everything");
        start("E2_FanOutFanIn", 5, "fan");
        start("Fails", null, "fails");
        start("WaitForGo", "to terminate", "terminated");
        start("WaitForGo", null, "suspended");
        start("WaitForGo", List.of("still", "running"), "running");
        start("E3_Counter", 0, "counter");
        FAIL_NEXT.set(true);
        start("FailOnce", null, "rewound");

        await("everything", RuntimeStatus.RUNNING);
        client.raiseEvent("everything", "go", Map.of("approved", true));
        await("terminated", RuntimeStatus.RUNNING);
        client.terminate("terminated", "no longer needed");
        await("suspended", RuntimeStatus.RUNNING);
        client.suspend("suspended", "hold on");
        await("suspended", RuntimeStatus.SUSPENDED);
        await("counter", RuntimeStatus.RUNNING);
        client.raiseEvent("counter", "operation", "add");
        client.raiseEvent("counter", "operation", "stop");
        await("rewound", RuntimeStatus.FAILED);
        client.rewind("rewound", "fixed");
        await("running", RuntimeStatus.RUNNING);
        for (String id : List.of("everything", "fan", "fails", "terminated", "counter")) {
            client.waitForInstanceCompletion(id, Duration.ofSeconds(20));
        }
        await("rewound", RuntimeStatus.COMPLETED);   // FAILED is already terminal: wait for the rewind to finish

        for (String id : List.of("everything", "fan", "fails", "terminated", "suspended", "running", "counter", "rewound")) {
            same("get-runtime-status", "--id", id);
            same("get-runtime-status", "--id", id, "--show-input", "--show-output");
            same("get-runtime-status", "--id", id, "--json");
            same("get-runtime-status", "--id", id, "--json", "--show-input", "true", "--show-output", "true");
            same("get-history", "--id", id);
            same("get-history", "--id", id, "--json");
        }
        same("get-instances");
        same("get-instances", "--json", "--show-input", "--top", "100");
        same("get-instances", "--runtime-status", "Completed", "Failed", "--top", "2");
        String[] page = both("get-instances", "--json", "--top", "3", "--created-after", "2000-01-01");
        assertThat(page[1]).isEqualTo(page[0]).contains("continuationToken");
        String token = page[0].replaceAll("(?s).*\"continuationToken\" : \"([^\"]+)\".*", "$1");
        same("get-instances", "--top", "3", "--created-after", "2000-01-01", "--continuation-token", token);
        same("stats");
        same("stats", "--json", "--runtime-status", "Completed", "Failed");
    }

    @Test
    void writeSubcommands_printTheSame_forTwinInstances() {
        for (String twin : List.of("local", "remote")) {
            start("WaitForGo", null, "event-" + twin);
            start("WaitForGo", null, "stop-" + twin);
            start("E1_HelloSequence", null, "done-" + twin);
        }
        for (String twin : List.of("local", "remote")) {
            await("event-" + twin, RuntimeStatus.RUNNING);
            await("stop-" + twin, RuntimeStatus.RUNNING);
            client.waitForInstanceCompletion("done-" + twin, Duration.ofSeconds(20));
        }
        twins("raise-event", "--id", "event-%s", "--event-name", "go", "--event-data", "{\"ok\":true}");
        twins("suspend", "--id", "stop-%s", "--json");
        twins("resume", "--id", "stop-%s");
        twins("terminate", "--id", "stop-%s", "--reason", "enough", "--json");
        twins("purge-instance", "--id", "done-%s");
        for (String twin : List.of("local", "remote")) {
            client.waitForInstanceCompletion("event-" + twin, Duration.ofSeconds(20));
            client.waitForInstanceCompletion("stop-" + twin, Duration.ofSeconds(20));
        }
        twins("purge-instance", "--id", "event-%s", "--json");
        twins("get-runtime-status", "--id", "stop-%s", "--show-output");
    }

    @Test
    void retentionSubcommands_printTheSame() {
        same("retention", "list");
        same("retention", "set", "--status", "Completed", "--older-than", "7d");
        same("retention", "set", "--status", "Terminated", "--older-than", "PT36H", "--name", "WaitForGo", "--json");
        for (String twin : List.of("local", "remote")) {
            client.setRetentionPolicy(RetentionPolicy.of(RuntimeStatus.FAILED, "Fails-" + twin, Duration.ofDays(1)));
        }
        same("retention", "list");
        same("retention", "list", "--json");
        same("retention", "apply");
        same("retention", "apply", "--json", "--limit-per-policy", "5");
        twins("retention", "remove", "--status", "Failed", "--name", "Fails-%s");
    }

    /** The command with %s as "local" run directly, and as "remote" through the server: the same output, ids aside. */
    private void twins(String... args) {
        List<String> local = new ArrayList<>();
        List<String> remote = new ArrayList<>();
        for (String a : args) {
            local.add(a.replace("%s", "local"));
            remote.add(a.replace("%s", "remote"));
        }
        local.addAll(List.of("--task-hub-name", hub));
        remote.addAll(List.of("--task-hub-name", hub, "--url", server.baseUrl(), "--key", KEY));
        CliRunner.Result l = cli.run(local.toArray(String[]::new));
        CliRunner.Result r = cli.run(remote.toArray(String[]::new));
        assertThat(l.exitCode()).as("local %s: %s", local, l.err()).isZero();
        assertThat(r.exitCode()).as("remote %s: %s", remote, r.err()).isZero();
        String time = "\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z";
        assertThat(r.out().replace("-remote", "-local").replaceAll(time, "TIME")).as("%s", local)
                .isEqualTo(l.out().replaceAll(time, "TIME"));
    }
}

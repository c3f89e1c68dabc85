package dev.taskhub.provider.azurestorage;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two worker JVMs on one hub split the partitions; every instance completes exactly once, also when one dies. */
class ScaleOutTest {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleOutTest.class);
    private final List<Process> processes = new ArrayList<>();
    private AzureStorageProvider clientProvider;

    private record Worker(Process process, List<String> lines, Path log) {
        String lastOwned() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("OWNED ")) {
                    return lines.get(i).substring(6);
                }
            }
            return "";
        }

        long activityCount() throws Exception {
            return Files.exists(log) ? Files.readAllLines(log).size() : 0;
        }
    }

    @AfterEach
    void tearDown() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        if (clientProvider != null) {
            clientProvider.deleteTaskHub();
            clientProvider.close();
        }
    }

    private Worker startWorker(String connection, String hub, Path log) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Djdk.httpclient.allowRestrictedHeaders=content-length", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                ScaleOutWorkerMain.class.getName(), connection, hub, log.toString())
                .redirectErrorStream(true).start();
        processes.add(process);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    LOG.debug("[worker {}] {}", process.pid(), line);
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return new Worker(process, lines, log);
    }

    @Test
    void twoWorkerProcesses_shareTheHub_andSurviveTheDeathOfOne(@TempDir Path dir) throws Exception {
        String connection = AzuriteFixture.connectionString();
        String hub = AzuriteFixture.hubName("AzScale");
        clientProvider = AzuriteFixture.provider(hub);
        clientProvider.createTaskHub();
        TaskHubClient client = new TaskHubClient(clientProvider);

        Worker a = startWorker(connection, hub, dir.resolve("a.log"));
        await().atMost(Duration.ofSeconds(120)).until(() -> a.lastOwned().equals("[0, 1, 2, 3]"));
        Worker b = startWorker(connection, hub, dir.resolve("b.log"));
        await().atMost(Duration.ofSeconds(120)).until(() -> a.lastOwned().split(",").length == 2 && b.lastOwned().split(",").length == 2);
        LOG.info("Balanced: A owns {}, B owns {}", a.lastOwned(), b.lastOwned());

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(client.scheduleNewOrchestrationInstance(TestOrchestrations.CHAIN, "s" + i));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> ids.stream()
                .filter(id -> client.getInstanceMetadata(id, false).map(m -> m.runtimeStatus() == RuntimeStatus.COMPLETED).orElse(false))
                .count() == ids.size());
        assertThat(a.activityCount()).as("worker A ran activities").isPositive();
        assertThat(b.activityCount()).as("worker B ran activities").isPositive();

        // second round: kill B without a clean shutdown in the middle of the work; A takes over its partitions
        List<String> more = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            more.add(client.scheduleNewOrchestrationInstance(TestOrchestrations.CHAIN, "k" + i));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> b.activityCount() > 0 && a.activityCount() + b.activityCount() > 36 + 4);
        b.process().destroyForcibly().waitFor();
        await().atMost(Duration.ofSeconds(90)).until(() -> more.stream()
                .filter(id -> client.getInstanceMetadata(id, false).map(m -> m.runtimeStatus() == RuntimeStatus.COMPLETED).orElse(false))
                .count() == more.size());
        assertThat(a.lastOwned()).isEqualTo("[0, 1, 2, 3]");

        List<String> all = new ArrayList<>(ids);
        all.addAll(more);
        for (String id : all) {
            String name = client.getInstanceMetadata(id, true).orElseThrow().readInputAs(String.class);
            assertThat(client.getInstanceMetadata(id, false).orElseThrow().readOutputAs(String.class))
                    .isEqualTo("done:" + name + "-1,done:" + name + "-2,done:" + name + "-3");
            List<HistoryEvent> history = client.getHistory(id);
            assertThat(history).as("history of %s", id).filteredOn(e -> e instanceof HistoryEvent.ExecutionCompleted).hasSize(1);
            assertThat(history).filteredOn(e -> e instanceof HistoryEvent.TaskCompleted).hasSize(3);
            assertThat(history).filteredOn(e -> e instanceof HistoryEvent.ExecutionStarted).hasSize(1);
        }
        a.process().getOutputStream().close();
        assertThat(a.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        LOG.info("Worker A: {}", a.lines().get(a.lines().size() - 1));
    }
}

package dev.taskhub.conformance;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;
import dev.taskhub.transfer.ImportSummary;
import dev.taskhub.transfer.InstanceTransfer;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Export and import ({@link InstanceTransfer}) between the provider under test and another hub: the in-memory provider
 * when it is on the class path (a test dependency of the provider module), else a second hub of the provider under
 * test. Finished instances arrive with equal state and history, unfinished ones continue on their new hub, id
 * conflicts follow the id reuse policy, and importing a file twice changes nothing more.
 */
public abstract class TransferConformanceTests extends ConformanceTestBase {
    private final List<StorageProvider> otherHubs = new ArrayList<>();

    @AfterEach
    void deleteOtherHubs() {
        for (StorageProvider other : otherHubs) {
            try {
                other.deleteTaskHub();
            } finally {
                other.close();
            }
        }
        otherHubs.clear();
    }

    /** A fresh hub on the in-memory provider if it is on the class path, else on the provider under test. */
    protected StorageProvider otherHub() {
        String name = "ct" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        StorageProvider other = ServiceLoader.load(StorageProviderFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> f.name().equals("inmemory"))
                .findFirst()
                .map(f -> f.create(ProviderConfig.of("inmemory", name)))
                .orElseGet(() -> createProvider(name));
        other.createTaskHub();
        otherHubs.add(other);
        return other;
    }

    /** A fresh hub on the provider under test. */
    private StorageProvider thirdHub() {
        StorageProvider third = createProvider("ct" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        third.createTaskHub();
        otherHubs.add(third);
        return third;
    }

    private static void register(TaskHubWorker.Builder w) {
        w.addOrchestrator("Echo", ctx -> ctx.getInput(Object.class))
                .addOrchestrator("Greet", ctx -> ctx.callActivity("Hello", ctx.getInput(String.class), String.class).await())
                .addOrchestrator("Fail", ctx -> {
                    throw new IllegalStateException("failing on purpose");
                })
                .addOrchestrator("WaitForGo", ctx -> "got " + ctx.waitForExternalEvent("Go", String.class).await())
                .addOrchestrator("Sleep", ctx -> {
                    ctx.createTimer(Duration.ofSeconds(3)).await();
                    return "woke up";
                })
                .addOrchestrator("Parent", ctx -> "child said " + ctx.callSubOrchestrator("WaitForGo", null,
                        ctx.getInstanceId() + "-child", String.class, null).await())
                .addActivity("Hello", ctx -> "Hello " + ctx.getInput(String.class) + "!");
    }

    private static String export(StorageProvider from, InstanceQuery query) {
        StringWriter out = new StringWriter();
        new InstanceTransfer(from).exportInstances(query, out);
        return out.toString();
    }

    private static String exportAll(StorageProvider from) {
        return export(from, InstanceQuery.builder().build());
    }

    private static ImportSummary importInto(StorageProvider to, String file, IdReusePolicy policy) {
        return new InstanceTransfer(to).importInstances(new StringReader(file), policy);
    }

    private static List<String> ids(StorageProvider hub) {
        return hub.queryInstances(InstanceQuery.builder().pageSize(1000).build()).instances().stream()
                .map(InstanceState::instanceId).toList();
    }

    private static void assertSameInstances(StorageProvider expected, StorageProvider actual) {
        assertThat(ids(actual)).containsExactlyInAnyOrderElementsOf(ids(expected));
        for (String id : ids(expected)) {
            assertThat(actual.getInstance(id)).as("state of %s", id).isEqualTo(expected.getInstance(id));
            assertThat(actual.getHistory(id)).as("history of %s", id).containsExactlyElementsOf(expected.getHistory(id));
        }
    }

    @Test
    void finishedInstances_moveBothWays_withEqualStateAndHistory_andASecondImportChangesNothing() {
        TaskHubWorker worker = startWorker(TransferConformanceTests::register);
        String greet = client.scheduleNewOrchestrationInstance("Greet", "Tokyo");
        String echo = client.scheduleNewOrchestrationInstance("Echo", new dev.taskhub.convert.RawJson("{\"n\":1}"));
        String fail = client.scheduleNewOrchestrationInstance("Fail");
        String terminated = client.scheduleNewOrchestrationInstance("WaitForGo");
        client.waitForInstanceStart(terminated, WAIT);
        client.terminate(terminated, "no longer needed");
        assertThat(awaitStatus(greet, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("Hello Tokyo!");
        awaitStatus(echo, RuntimeStatus.COMPLETED);
        awaitStatus(fail, RuntimeStatus.FAILED);
        awaitStatus(terminated, RuntimeStatus.TERMINATED);
        worker.close();

        String file = exportAll(provider);
        assertThat(file.lines()).hasSize(4);
        StorageProvider other = otherHub();
        ImportSummary first = importInto(other, file, IdReusePolicy.REPLACE_IF_FINISHED);
        assertThat(first.imported()).isEqualTo(4);
        assertThat(first.problems()).isEmpty();
        assertSameInstances(provider, other);
        assertThat(new TaskHubClient(other).getInstanceMetadata(greet, false).orElseThrow().readOutputAs(String.class))
                .isEqualTo("Hello Tokyo!");

        ImportSummary again = importInto(other, file, IdReusePolicy.REPLACE_IF_FINISHED);
        assertThat(again.skipped()).isEqualTo(4);
        assertThat(again.imported() + again.replaced() + again.failed()).isZero();
        assertSameInstances(provider, other);

        // and back, into a fresh hub of the provider under test
        StorageProvider back = thirdHub();
        ImportSummary returned = importInto(back, exportAll(other), IdReusePolicy.REPLACE_IF_FINISHED);
        assertThat(returned.imported()).isEqualTo(4);
        assertSameInstances(provider, back);
    }

    @Test
    void unfinishedInstances_continueOnTheirNewHub() {
        // The source runs orchestrations only, so the activity stays scheduled without a result.
        TaskHubWorker source = startWorker(provider, testOptions().processActivities(false).build(), TransferConformanceTests::register);
        String greet = client.scheduleNewOrchestrationInstance("Greet", "Osaka");
        String sleep = client.scheduleNewOrchestrationInstance("Sleep");
        String waiting = client.scheduleNewOrchestrationInstance("WaitForGo");
        String parent = client.scheduleNewOrchestrationInstance("Parent");
        awaitHistory(greet, HistoryEvent.TaskScheduled.class);
        awaitHistory(sleep, HistoryEvent.TimerCreated.class);
        awaitHistory(waiting, HistoryEvent.OrchestratorCompleted.class);
        awaitHistory(parent + "-child", HistoryEvent.OrchestratorCompleted.class);
        source.close();
        String pending = client.scheduleNewOrchestrationInstance("Echo", "later");

        String file = exportAll(provider);
        StorageProvider other = otherHub();
        ImportSummary summary = importInto(other, file, IdReusePolicy.REPLACE_IF_FINISHED);
        assertThat(summary.imported()).as("%s", summary).isEqualTo(6);
        startWorker(other, testOptions().build(), TransferConformanceTests::register);
        TaskHubClient target = new TaskHubClient(other);
        target.raiseEvent(waiting, "Go", "green");
        target.raiseEvent(parent + "-child", "Go", "blue");

        assertThat(completed(target, greet).readOutputAs(String.class)).isEqualTo("Hello Osaka!");
        assertThat(completed(target, sleep).readOutputAs(String.class)).isEqualTo("woke up");
        assertThat(completed(target, waiting).readOutputAs(String.class)).isEqualTo("got green");
        assertThat(completed(target, parent).readOutputAs(String.class)).isEqualTo("child said got blue");
        assertThat(completed(target, pending).readOutputAs(String.class)).isEqualTo("later");
        assertThat(client.getInstanceMetadata(greet, false).orElseThrow().runtimeStatus())
                .as("the source hub is left as it was").isEqualTo(RuntimeStatus.RUNNING);
    }

    @Test
    void aChildThatFinishedInTheTargetHub_answersItsImportedParent_inEitherOrder() {
        TaskHubWorker source = startWorker(TransferConformanceTests::register);
        String parent = client.scheduleNewOrchestrationInstance("Parent");
        String child = parent + "-child";
        awaitHistory(child, HistoryEvent.OrchestratorCompleted.class);
        awaitHistory(parent, HistoryEvent.SubOrchestrationInstanceCreated.class);
        source.close();
        String file = exportAll(provider);
        String parentLine = lineOf(file, parent);
        String childLine = lineOf(file, child);

        // the child first: it finishes in the target hub before its parent arrives
        StorageProvider target = otherHub();
        TaskHubClient targetClient = new TaskHubClient(target);
        assertThat(importInto(target, childLine, IdReusePolicy.REPLACE_IF_FINISHED).imported()).isEqualTo(1);
        TaskHubWorker targetWorker = startWorker(target, testOptions().build(), TransferConformanceTests::register);
        targetClient.raiseEvent(child, "Go", "early");
        completed(targetClient, child);
        targetWorker.close();
        String finishedChildLine = lineOf(exportAll(target), child);
        assertThat(importInto(target, parentLine, IdReusePolicy.REPLACE_IF_FINISHED).imported()).isEqualTo(1);
        startWorker(target, testOptions().build(), TransferConformanceTests::register);
        assertThat(completed(targetClient, parent).readOutputAs(String.class)).isEqualTo("child said got early");

        // the parent first: the finished child's import answers it
        StorageProvider another = otherHub();
        TaskHubClient anotherClient = new TaskHubClient(another);
        assertThat(importInto(another, parentLine, IdReusePolicy.REPLACE_IF_FINISHED).imported()).isEqualTo(1);
        assertThat(importInto(another, finishedChildLine, IdReusePolicy.REPLACE_IF_FINISHED).imported()).isEqualTo(1);
        startWorker(another, testOptions().build(), TransferConformanceTests::register);
        assertThat(completed(anotherClient, parent).readOutputAs(String.class)).isEqualTo("child said got early");
    }

    private static String lineOf(String file, String instanceId) {
        return file.lines().filter(l -> l.startsWith("{\"formatVersion\":1,\"instanceId\":\"" + instanceId + "\"")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + instanceId + " in " + file));
    }

    @Test
    void conflicts_followTheIdReusePolicy() {
        // The file: a finished "running-…" and "done-…" instance per policy; the hub under test has the same ids, one
        // unfinished (pending) and one completed, from other executions.
        StorageProvider source = otherHub();
        startWorker(source, testOptions().build(), TransferConformanceTests::register);
        TaskHubClient sourceClient = new TaskHubClient(source);
        startWorker(TransferConformanceTests::register);
        for (IdReusePolicy policy : IdReusePolicy.values()) {
            sourceClient.scheduleNewOrchestrationInstance("Echo", "file", NewOrchestrationOptions.withInstanceId(policy + "-running"));
            sourceClient.scheduleNewOrchestrationInstance("Echo", "file", NewOrchestrationOptions.withInstanceId(policy + "-done"));
            client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(policy + "-running"));
            client.scheduleNewOrchestrationInstance("Echo", "hub", NewOrchestrationOptions.withInstanceId(policy + "-done"));
        }
        for (IdReusePolicy policy : IdReusePolicy.values()) {
            completed(sourceClient, policy + "-running");
            completed(sourceClient, policy + "-done");
            completed(client, policy + "-done");
            client.waitForInstanceStart(policy + "-running", WAIT);
        }

        for (IdReusePolicy policy : IdReusePolicy.values()) {
            String file = export(source, InstanceQuery.builder().instanceIdPrefix(policy + "-").build());
            ImportSummary summary = importInto(provider, file, policy);
            boolean replacesActive = policy == IdReusePolicy.ALWAYS_REPLACE;
            boolean replacesFinished = policy != IdReusePolicy.FAIL_IF_EXISTS;
            assertThat(summary.replaced()).as("%s: %s", policy, summary).isEqualTo((replacesActive ? 1 : 0) + (replacesFinished ? 1 : 0));
            assertThat(summary.skipped()).as("%s: %s", policy, summary).isEqualTo(2 - summary.replaced());
            assertThat(summary.failed()).isZero();
            summary.problems().forEach(p -> assertThat(p.reason()).contains(policy.name()));
            assertThat(client.getInstanceMetadata(policy + "-running", true).orElseThrow().serializedInput())
                    .as(policy.name()).isEqualTo(replacesActive ? "\"file\"" : null);
            assertThat(client.getInstanceMetadata(policy + "-done", true).orElseThrow().serializedInput())
                    .as(policy.name()).isEqualTo(replacesFinished ? "\"file\"" : "\"hub\"");
            if (replacesFinished) {
                assertThat(provider.getHistory(policy + "-done")).containsExactlyElementsOf(source.getHistory(policy + "-done"));
            }
        }
    }

    @Test
    void badLines_failWithTheirLineNumber_andTheOthersAreImported() {
        startWorker(TransferConformanceTests::register);
        String a = client.scheduleNewOrchestrationInstance("Echo", 1);
        String b = client.scheduleNewOrchestrationInstance("Echo", 2);
        completed(client, a);
        completed(client, b);
        List<String> lines = exportAll(provider).lines().toList();
        String file = lines.get(0) + "\n{not json\n\n" + lines.get(1).replace("\"instanceId\"", "\"id\"") + "\n"
                + lines.get(1) + "\n";

        StorageProvider other = otherHub();
        ImportSummary summary = importInto(other, file, IdReusePolicy.REPLACE_IF_FINISHED);
        assertThat(summary.imported()).isEqualTo(2);
        assertThat(summary.failed()).isEqualTo(2);
        assertThat(summary.problems()).extracting(ImportSummary.Problem::line).containsExactly(2L, 4L);
        assertThat(summary.problems().get(0).reason()).contains("Line 2").contains("not JSON");
        assertThat(summary.problems().get(1).reason()).contains("Line 4").contains("instanceId");
        assertThat(ids(other)).containsExactlyInAnyOrder(a, b);

        String future = lines.get(0).replace("\"formatVersion\":1", "\"formatVersion\":99");
        StorageProvider another = otherHub();
        assertThatThrownBy(() -> importInto(another, future, IdReusePolicy.REPLACE_IF_FINISHED))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Line 1").hasMessageContaining("version 99");
        assertThat(ids(another)).isEmpty();
    }

    private void awaitHistory(String instanceId, Class<? extends HistoryEvent> type) {
        await().atMost(WAIT).until(() -> provider.getHistory(instanceId).stream().anyMatch(type::isInstance));
    }

    private static OrchestrationMetadata completed(TaskHubClient on, String instanceId) {
        OrchestrationMetadata m = on.waitForInstanceCompletion(instanceId, WAIT, Duration.ofMillis(50));
        assertThat(m.runtimeStatus()).as("%s: %s", instanceId, m.failureDetails()).isEqualTo(RuntimeStatus.COMPLETED);
        return m;
    }
}

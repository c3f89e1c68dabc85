package dev.taskhub.conformance;

import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.RetryPolicy;
import dev.taskhub.orchestration.Task;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Every instance-management operation of the client, with its error cases. */
public abstract class ManagementConformanceTests extends ConformanceTestBase {
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    private static AtomicInteger calls(String key) {
        return CALLS.computeIfAbsent(key, k -> new AtomicInteger());
    }

    private void startStandardWorker() {
        startWorker(w -> w
                .addOrchestrator("Echo", ctx -> ctx.getInput(Object.class))
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("Go", String.class).await())
                .addOrchestrator("Fail", ctx -> {
                    throw new IllegalStateException("failing on purpose");
                }));
    }

    // 1. start -------------------------------------------------------------------------------------------------------

    @Test
    void start_withoutId_usesA32HexId_andKeepsTheInput() {
        String id = client.scheduleNewOrchestrationInstance("Echo", Map.of("city", "Tokyo"));
        assertThat(id).matches("[0-9a-f]{32}");
        OrchestrationMetadata m = client.getInstanceMetadata(id, true).orElseThrow();
        assertThat(m.runtimeStatus()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(m.name()).isEqualTo("Echo");
        assertThat(m.serializedInput()).isEqualTo("{\"city\":\"Tokyo\"}");
    }

    @Test
    void start_withAnActiveId_isRefused_andAFinishedIdIsReplaced() {
        String id = uniqueId("reuse");
        client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(id));
        assertThatThrownBy(() -> client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId(id)))
                .isInstanceOf(InstanceAlreadyExistsException.class).hasMessageContaining(id);
        assertThat(client.scheduleNewOrchestrationInstance("Other", null,
                NewOrchestrationOptions.withInstanceId(id).withIdReusePolicy(IdReusePolicy.KEEP_IF_ACTIVE))).isEqualTo(id);
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().name()).isEqualTo("WaitForGo");
        startStandardWorker();
        client.raiseEvent(id, "Go", "first");
        awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThatThrownBy(() -> client.scheduleNewOrchestrationInstance("Echo", 1,
                NewOrchestrationOptions.withInstanceId(id).withIdReusePolicy(IdReusePolicy.FAIL_IF_EXISTS)))
                .isInstanceOf(InstanceAlreadyExistsException.class);
        client.scheduleNewOrchestrationInstance("Echo", 2, NewOrchestrationOptions.withInstanceId(id));
        OrchestrationMetadata second = awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThat(second.readOutputAs(Integer.class)).isEqualTo(2);
        assertThat(client.getHistory(id).stream().filter(HistoryEvent.EventRaised.class::isInstance)).as("old history is gone").isEmpty();
    }

    @Test
    void start_withAVersionAndStartTime_recordsThem() {
        Instant startAt = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        String id = client.scheduleNewOrchestrationInstance("Echo", null, NewOrchestrationOptions.defaults().withVersion("2.0").withStartAt(startAt));
        OrchestrationMetadata m = client.getInstanceMetadata(id, true).orElseThrow();
        assertThat(m.version()).isEqualTo("2.0");
        assertThat(m.scheduledStartAt()).isEqualTo(startAt);
        assertThat(m.runtimeStatus()).isEqualTo(RuntimeStatus.PENDING);
    }

    @Test
    void start_withBadArguments_isRefusedClearly() {
        assertThatThrownBy(() -> client.scheduleNewOrchestrationInstance(" ")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> NewOrchestrationOptions.withInstanceId("a/b")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'/'");
        assertThatThrownBy(() -> client.scheduleNewOrchestrationInstance("Echo", "x".repeat(TaskHubClient.MAX_PAYLOAD_CHARS + 1)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("limit");
    }

    // 2. get status, 3. get history ----------------------------------------------------------------------------------

    @Test
    void getStatus_showsInputOutputAndHistoryOnlyWhenAsked() {
        startWorker(w -> w
                .addOrchestrator("WithActivity", ctx -> ctx.callActivity("Shout", ctx.getInput(String.class), String.class).await())
                .addActivity("Shout", ctx -> ctx.getInput(String.class) + "!"));
        String id = client.scheduleNewOrchestrationInstance("WithActivity", "hey");
        awaitStatus(id, RuntimeStatus.COMPLETED);
        OrchestrationMetadata plain = client.getInstanceMetadata(id, false).orElseThrow();
        assertThat(plain.serializedInput()).isNull();
        assertThat(plain.serializedOutput()).isEqualTo("\"hey!\"");
        assertThat(plain.historyEvents()).isEmpty();
        assertThat(plain.createdAt()).isBeforeOrEqualTo(plain.lastUpdatedAt());

        OrchestrationMetadata full = client.getInstanceMetadata(id, true, true, true).orElseThrow();
        assertThat(full.serializedInput()).isEqualTo("\"hey\"");
        assertThat(full.historyEvents().orElseThrow()).anySatisfy(e ->
                assertThat(e).isInstanceOfSatisfying(HistoryEvent.TaskCompleted.class, c -> assertThat(c.result()).isEqualTo("\"hey!\"")));
        OrchestrationMetadata noOutputs = client.getInstanceMetadata(id, true, true, false).orElseThrow();
        assertThat(noOutputs.historyEvents().orElseThrow()).anySatisfy(e ->
                assertThat(e).isInstanceOfSatisfying(HistoryEvent.TaskCompleted.class, c -> assertThat(c.result()).isNull()));
    }

    @Test
    void getStatus_ofUnknownInstance_isEmpty_andGetHistoryIsRefused() {
        assertThat(client.getInstanceMetadata("nope-" + UUID.randomUUID(), true)).isEmpty();
        assertThatThrownBy(() -> client.getHistory("nope")).isInstanceOf(InstanceNotFoundException.class).hasMessageContaining("nope");
    }

    @Test
    void getHistory_isOrderedWithTimestamps() {
        startWorker(w -> w
                .addOrchestrator("Two", ctx -> {
                    ctx.callActivity("Noop", null).await();
                    ctx.callActivity("Noop", null).await();
                    return "ok";
                })
                .addActivity("Noop", ctx -> null));
        String id = client.scheduleNewOrchestrationInstance("Two");
        awaitStatus(id, RuntimeStatus.COMPLETED);
        List<HistoryEvent> history = client.getHistory(id);
        assertThat(history.get(0)).isInstanceOf(HistoryEvent.OrchestratorStarted.class);
        assertThat(history.get(1)).isInstanceOf(HistoryEvent.ExecutionStarted.class);
        assertThat(history).filteredOn(HistoryEvent.ExecutionCompleted.class::isInstance).hasSize(1);
        for (int i = 1; i < history.size(); i++) {
            assertThat(history.get(i).timestamp()).isAfterOrEqualTo(history.get(i - 1).timestamp());
        }
    }

    // 4. query all with paging, 5. query with filters ----------------------------------------------------------------

    @Test
    void queryAll_pagesEveryInstanceExactlyOnce_evenWhileInstancesAreCreated() {
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 45; i++) {
            created.add(client.scheduleNewOrchestrationInstance("Echo", i));
        }
        Set<String> seen = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            QueryResult page = client.queryInstances(InstanceQuery.builder().pageSize(10).continuationToken(token).build());
            assertThat(page.instances().size()).isLessThanOrEqualTo(10);
            for (OrchestrationMetadata m : page.instances()) {
                if (!seen.add(m.instanceId())) {
                    duplicates.add(m.instanceId());
                }
                assertThat(m.serializedInput()).as("inputs only when asked").isNull();
            }
            token = page.continuationToken();
            if (pages++ < 3) {
                client.scheduleNewOrchestrationInstance("Echo", "late " + pages);
            }
        } while (token != null && pages < 100);
        assertThat(duplicates).isEmpty();
        assertThat(seen).containsAll(created);
    }

    @Test
    void queryWithFilters_combinesStatusCreatedRangeAndPrefix() {
        startStandardWorker();
        Instant before = Instant.now().minusMillis(1);
        List<String> done = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            done.add(client.scheduleNewOrchestrationInstance("Echo", i, NewOrchestrationOptions.withInstanceId("done-" + i)));
        }
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waiting.add(client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId("wait-" + i)));
        }
        done.forEach(id -> awaitStatus(id, RuntimeStatus.COMPLETED));
        waiting.forEach(id -> client.waitForInstanceStart(id, WAIT));
        Instant after = Instant.now().plusMillis(1);

        assertThat(ids(InstanceQuery.builder().statuses(RuntimeStatus.COMPLETED).build())).containsExactlyInAnyOrderElementsOf(done);
        assertThat(ids(InstanceQuery.builder().statuses(RuntimeStatus.RUNNING).instanceIdPrefix("wait-").pageSize(2).build()))
                .containsExactlyInAnyOrderElementsOf(waiting);
        assertThat(ids(InstanceQuery.builder().instanceIdPrefix("done-").createdFrom(before).createdTo(after).build())).hasSize(3);
        assertThat(ids(InstanceQuery.builder().createdFrom(after).build())).isEmpty();
        assertThat(ids(InstanceQuery.builder().createdTo(before).build())).isEmpty();
        QueryResult withInputs = client.queryInstances(InstanceQuery.builder().instanceIdPrefix("done-0").fetchInputsAndOutputs(true).build());
        assertThat(withInputs.instances()).singleElement().satisfies(m -> {
            assertThat(m.serializedInput()).isEqualTo("0");
            assertThat(m.serializedOutput()).isEqualTo("0");
        });
    }

    @Test
    void counts_perNameAndStatus_agreeWithTheQueryForEveryFilter() {
        startStandardWorker();
        Instant before = Instant.now().minusMillis(1);
        for (int i = 0; i < 3; i++) {
            client.scheduleNewOrchestrationInstance("Echo", i, NewOrchestrationOptions.withInstanceId("count-done-" + i));
        }
        for (int i = 0; i < 4; i++) {
            client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId("count-wait-" + i));
        }
        for (int i = 0; i < 3; i++) {
            awaitStatus("count-done-" + i, RuntimeStatus.COMPLETED);
        }
        for (int i = 0; i < 4; i++) {
            client.waitForInstanceStart("count-wait-" + i, WAIT);
        }
        client.terminate("count-wait-3", "counted as terminated");
        awaitStatus("count-wait-3", RuntimeStatus.TERMINATED);
        Instant after = Instant.now().plusMillis(1);

        InstanceCounts all = client.countInstances(InstanceQuery.builder().instanceIdPrefix("count-").build());
        assertThat(all.total()).isEqualTo(7);
        assertThat(all.byName()).containsOnlyKeys("Echo", "WaitForGo");
        assertThat(all.byName().get("Echo")).containsExactly(Map.entry(RuntimeStatus.COMPLETED, 3L));
        assertThat(all.byName().get("WaitForGo"))
                .containsExactly(Map.entry(RuntimeStatus.RUNNING, 3L), Map.entry(RuntimeStatus.TERMINATED, 1L));
        assertThat(all.byStatus()).containsExactly(Map.entry(RuntimeStatus.RUNNING, 3L), Map.entry(RuntimeStatus.COMPLETED, 3L),
                Map.entry(RuntimeStatus.TERMINATED, 1L));

        // every filter counts exactly what the query returns; paging fields are ignored
        for (InstanceQuery q : List.of(
                InstanceQuery.builder().statuses(RuntimeStatus.RUNNING, RuntimeStatus.TERMINATED).instanceIdPrefix("count-").build(),
                InstanceQuery.builder().statuses(RuntimeStatus.COMPLETED).instanceIdPrefix("count-").pageSize(1).build(),
                InstanceQuery.builder().instanceIdPrefix("count-wait-").createdFrom(before).createdTo(after).build(),
                InstanceQuery.builder().instanceIdPrefix("count-").createdFrom(after).build(),
                InstanceQuery.builder().instanceIdPrefix("count-").createdTo(before).build(),
                InstanceQuery.builder().instanceIdPrefix("count-nothing").build())) {
            assertThat(client.countInstances(q).total()).as("%s", q).isEqualTo(ids(q).size());
        }
        assertThat(client.countInstances(InstanceQuery.builder().instanceIdPrefix("count-").createdFrom(after).build()))
                .isEqualTo(InstanceCounts.EMPTY);
        // the hub holds only these instances: the unfiltered count (and one by status only) is the same, however the store counts it
        assertThat(client.countInstances(InstanceQuery.builder().build())).isEqualTo(all);
        assertThat(client.countInstances(InstanceQuery.builder().statuses(RuntimeStatus.RUNNING).build()).total()).isEqualTo(3);

        // purging and replacing move the counts too
        client.purgeInstance("count-done-0");
        client.scheduleNewOrchestrationInstance("Echo", 9, NewOrchestrationOptions.withInstanceId("count-wait-3"));
        awaitStatus("count-wait-3", RuntimeStatus.COMPLETED);
        InstanceCounts later = client.countInstances(InstanceQuery.builder().build());
        assertThat(later.byName().get("Echo")).containsExactly(Map.entry(RuntimeStatus.COMPLETED, 3L));
        assertThat(later.byName().get("WaitForGo")).containsExactly(Map.entry(RuntimeStatus.RUNNING, 3L));
        assertThat(later).isEqualTo(client.countInstances(InstanceQuery.builder().instanceIdPrefix("count-").build()));
    }

    private List<String> ids(InstanceQuery query) {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            QueryResult page = client.queryInstances(query.withContinuationToken(token));
            page.instances().forEach(m -> ids.add(m.instanceId()));
            token = page.continuationToken();
        } while (token != null);
        return ids;
    }

    @Test
    void query_withInvalidArguments_isRefusedClearly() {
        assertThatThrownBy(() -> InstanceQuery.builder().pageSize(0).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("at least 1");
        assertThatThrownBy(() -> InstanceQuery.builder().pageSize(-5).build()).isInstanceOf(InvalidRequestException.class);
        Instant now = Instant.now();
        assertThatThrownBy(() -> InstanceQuery.builder().createdFrom(now).createdTo(now.minusSeconds(1)).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("after");
        for (int i = 0; i < 3; i++) {
            client.scheduleNewOrchestrationInstance("Echo", i);
        }
        String token = client.queryInstances(InstanceQuery.builder().pageSize(1).build()).continuationToken();
        assertThat(token).isNotNull();
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("0") ? "11" : "00");
        assertThatThrownBy(() -> client.queryInstances(InstanceQuery.builder().pageSize(1).continuationToken(tampered).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("continuation token");
        assertThatThrownBy(() -> client.queryInstances(InstanceQuery.builder().continuationToken("garbage").build()))
                .isInstanceOf(InvalidRequestException.class);
    }

    /**
     * A continuation token is only a position inside the query the request itself defines (its filters, this hub):
     * whatever token is passed (another hub's, another filter's, corrupted, forged), the pages hold only instances
     * of this hub that match the filter, or the token is refused with {@link InvalidRequestException}. Malformed
     * tokens (garbage, truncated) are refused; a token with one character changed is refused or means the same.
     */
    @Test
    void query_withForeignOrForgedContinuationTokens_staysInsideTheFilterAndTheHub() {
        startStandardWorker();
        String otherHub = "ct" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        StorageProvider other = createProvider(otherHub);
        try {
            other.createTaskHub();
            TaskHubClient otherClient = new TaskHubClient(other);
            startWorker(other, testOptions().build(), w -> w
                    .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("Go", String.class).await()));
            List<String> outside = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                outside.add(otherClient.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId("in-other-" + i)));
                outside.add(client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId("out-" + i)));
                outside.add(client.scheduleNewOrchestrationInstance("Echo", i, NewOrchestrationOptions.withInstanceId("in-done-" + i)));
            }
            Instant between = Instant.now().plusMillis(1);
            while (!Instant.now().isAfter(between)) {
                Thread.onSpinWait();
            }
            List<String> inside = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                inside.add(client.scheduleNewOrchestrationInstance("WaitForGo", null, NewOrchestrationOptions.withInstanceId("in-wait-" + i)));
            }
            inside.forEach(id -> client.waitForInstanceStart(id, WAIT));
            for (int i = 0; i < 3; i++) {
                otherClient.waitForInstanceStart("in-other-" + i, WAIT);
                client.waitForInstanceStart("out-" + i, WAIT);
                awaitStatus("in-done-" + i, RuntimeStatus.COMPLETED);
            }

            InstanceQuery byPrefixAndStatus = InstanceQuery.builder().instanceIdPrefix("in-").statuses(RuntimeStatus.RUNNING).pageSize(1).build();
            InstanceQuery byCreatedTime = InstanceQuery.builder().createdFrom(between).pageSize(1).build();
            assertThat(ids(byPrefixAndStatus)).containsExactlyInAnyOrderElementsOf(inside);
            assertThat(ids(byCreatedTime)).containsExactlyInAnyOrderElementsOf(inside);

            // well-formed tokens from elsewhere: another hub (same filter), other filters, other positions
            List<String> foreign = new ArrayList<>();
            foreign.addAll(tokens(otherClient, byPrefixAndStatus));
            foreign.addAll(tokens(client, InstanceQuery.builder().pageSize(1).build()));
            foreign.addAll(tokens(client, InstanceQuery.builder().instanceIdPrefix("out-").pageSize(1).build()));
            foreign.addAll(tokens(client, byCreatedTime));
            foreign.addAll(tokens(client, byPrefixAndStatus));
            // forged ones, well-formed for providers that use the shared encoding: arbitrary positions
            foreign.addAll(List.of(ContinuationTokens.encode(Instant.EPOCH, ""), ContinuationTokens.encode(Instant.EPOCH, "in-other-0"),
                    ContinuationTokens.encode(between, "in-"), ContinuationTokens.encode(Instant.now().plusSeconds(86_400), "zzz"),
                    ContinuationTokens.encodeRaw("garbage"), ContinuationTokens.encodeRaw("az1|x;y"), ContinuationTokens.encodeRaw("az1|;"),
                    ContinuationTokens.encodeRaw("az1|'or''=';'"), ContinuationTokens.encodeRaw("az1|1!8!aW4tb3RoZXI-;1!8!aW4tb3RoZXI-")));
            for (String token : foreign) {
                for (InstanceQuery q : List.of(byPrefixAndStatus, byCreatedTime)) {
                    assertThat(idsFrom(q, token)).as("pages from a foreign token").isSubsetOf(inside);
                }
            }

            // malformed tokens are refused clearly
            String valid = tokens(client, byPrefixAndStatus).get(0);
            byte[] random = new byte[24];
            new java.util.Random(42).nextBytes(random);
            List<String> malformed = List.of("garbage", "%%%", ".", "not.a.token", valid.substring(0, valid.length() / 2),
                    valid.substring(0, valid.length() - 1), valid + "x", "x" + valid,
                    java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random),
                    java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random) + ".12345678");
            for (String token : malformed) {
                assertThatThrownBy(() -> client.queryInstances(byPrefixAndStatus.withContinuationToken(token)))
                        .as("malformed token '%s'", token)
                        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("continuation token");
            }

            // one character changed: refused, or (a change the encoding ignores) exactly the same page
            List<String> samePage = idsOfPage(byPrefixAndStatus, valid);
            int refused = 0;
            for (int i = 0; i < valid.length(); i++) {
                char c = valid.charAt(i);
                String changed = valid.substring(0, i) + (c == 'g' ? 'A' : 'g') + valid.substring(i + 1);
                try {
                    assertThat(idsOfPage(byPrefixAndStatus, changed)).as("token changed at %d", i).isEqualTo(samePage);
                } catch (InvalidRequestException e) {
                    assertThat(e).hasMessageContaining("continuation token");
                    refused++;
                }
            }
            assertThat(refused).as("changed tokens refused").isGreaterThan(valid.length() / 2);
        } finally {
            other.deleteTaskHub();
            other.close();
        }
    }

    /** Every continuation token that paging through the query hands out. */
    private static List<String> tokens(TaskHubClient on, InstanceQuery query) {
        List<String> tokens = new ArrayList<>();
        String token = null;
        do {
            token = on.queryInstances(query.withContinuationToken(token)).continuationToken();
            if (token != null) {
                tokens.add(token);
            }
        } while (token != null && tokens.size() < 50);
        return tokens;
    }

    /** The ids of every page from the given token on (bounded), or the refusal of the token. */
    private List<String> idsFrom(InstanceQuery query, String start) {
        List<String> ids = new ArrayList<>();
        String token = start;
        int pages = 0;
        do {
            QueryResult page;
            try {
                page = client.queryInstances(query.withContinuationToken(token));
            } catch (InvalidRequestException e) {
                assertThat(e).hasMessageContaining("continuation token");
                return ids;
            }
            page.instances().forEach(m -> ids.add(m.instanceId()));
            token = page.continuationToken();
        } while (token != null && ++pages < 50);
        return ids;
    }

    private List<String> idsOfPage(InstanceQuery query, String token) {
        List<String> ids = new ArrayList<>();
        client.queryInstances(query.withContinuationToken(token)).instances().forEach(m -> ids.add(m.instanceId()));
        return ids;
    }

    // 6. terminate ---------------------------------------------------------------------------------------------------

    @Test
    void terminate_stopsAWaitingInstanceWithTheReasonAsOutput() {
        startStandardWorker();
        String id = client.scheduleNewOrchestrationInstance("WaitForGo");
        client.waitForInstanceStart(id, WAIT);
        client.terminate(id, "no longer needed");
        OrchestrationMetadata m = awaitStatus(id, RuntimeStatus.TERMINATED);
        assertThat(m.readOutputAs(String.class)).isEqualTo("no longer needed");
        assertThat(client.getHistory(id)).anySatisfy(e -> assertThat(e).isInstanceOf(HistoryEvent.ExecutionTerminated.class));
        assertThatThrownBy(() -> client.terminate(id, "again")).isInstanceOf(InvalidInstanceStateException.class)
                .hasMessageContaining("Terminated");
        assertThatThrownBy(() -> client.terminate("unknown-" + UUID.randomUUID(), "x")).isInstanceOf(InstanceNotFoundException.class);
    }

    @Test
    void terminate_recursive_alsoTerminatesRunningSubOrchestrations() {
        startWorker(w -> w
                .addOrchestrator("Parent", ctx -> ctx.callSubOrchestrator("Child", null, ctx.getInstanceId() + "-child", String.class, null).await())
                .addOrchestrator("Child", ctx -> ctx.waitForExternalEvent("Never", String.class).await()));
        String id = client.scheduleNewOrchestrationInstance("Parent");
        String child = id + "-child";
        await().atMost(WAIT).until(() -> client.getInstanceMetadata(child, false).map(OrchestrationMetadata::isRunning).orElse(false));
        client.terminate(id, "shutting down", true);
        awaitStatus(id, RuntimeStatus.TERMINATED);
        awaitStatus(child, RuntimeStatus.TERMINATED);
    }

    // 7. raise event -------------------------------------------------------------------------------------------------

    @Test
    void raiseEvent_toUnknownOrFinishedInstance_isRefused() {
        startStandardWorker();
        assertThatThrownBy(() -> client.raiseEvent("unknown-" + UUID.randomUUID(), "Go", 1)).isInstanceOf(InstanceNotFoundException.class);
        String id = client.scheduleNewOrchestrationInstance("Echo", 1);
        awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThatThrownBy(() -> client.raiseEvent(id, "Go", 1)).isInstanceOf(InvalidInstanceStateException.class)
                .hasMessageContaining("can no longer receive events");
        assertThatThrownBy(() -> client.raiseEvent(id, "", 1)).isInstanceOf(InvalidRequestException.class);
    }

    // 8. wait for completion -----------------------------------------------------------------------------------------

    @Test
    void waitForCompletion_returnsTheOutputInTime_orTheCurrentStatusAfterTheTimeout() {
        startStandardWorker();
        String waiting = client.scheduleNewOrchestrationInstance("WaitForGo");
        OrchestrationMetadata notYet = client.waitForInstanceCompletion(waiting, Duration.ofMillis(300), Duration.ofMillis(50));
        assertThat(notYet.isCompleted()).isFalse();
        client.raiseEvent(waiting, "Go", "now");
        OrchestrationMetadata done = client.waitForInstanceCompletion(waiting, WAIT);
        assertThat(done.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(done.readOutputAs(String.class)).isEqualTo("now");
        assertThatThrownBy(() -> client.waitForInstanceCompletion("unknown", Duration.ofMillis(10))).isInstanceOf(InstanceNotFoundException.class);
    }

    // 9. HTTP management payload -------------------------------------------------------------------------------------

    @Test
    void httpManagementPayload_carriesTaskHubConnectionAndKey() {
        TaskHubClient withHttp = new TaskHubClient(provider,
                HttpManagementOptions.builder().baseUrl("http://localhost:7071/runtime/webhooks/durabletask")
                        .taskHub("MyHub").connectionName("AzureWebJobsStorage").systemKey("s3cret").build());
        HttpManagementPayload p = withHttp.createHttpManagementPayload("abc 1");
        String query = "taskHub=MyHub&connection=AzureWebJobsStorage&code=s3cret";
        assertThat(p.id()).isEqualTo("abc 1");
        assertThat(p.statusQueryGetUri()).isEqualTo("http://localhost:7071/runtime/webhooks/durabletask/instances/abc%201?" + query);
        assertThat(p.sendEventPostUri()).isEqualTo("http://localhost:7071/runtime/webhooks/durabletask/instances/abc%201/raiseEvent/{eventName}?" + query);
        assertThat(p.terminatePostUri()).contains("/terminate?reason={text}&" + query);
        assertThat(p.rewindPostUri()).contains("/rewind?reason={text}&" + query);
        assertThat(p.purgeHistoryDeleteUri()).isEqualTo(p.statusQueryGetUri());
        assertThat(p.restartPostUri()).contains("/restart?" + query);
        assertThat(p.suspendPostUri()).contains("/suspend?reason={text}&" + query);
        assertThat(p.resumePostUri()).contains("/resume?reason={text}&" + query);
    }

    // 10. rewind -----------------------------------------------------------------------------------------------------

    @Test
    void rewind_rerunsOnlyTheFailedWork_andRecordsTheRewind() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> w
                .addOrchestrator("Pipeline", ctx -> {
                    String a = ctx.callActivity("Step", key + "-a", String.class).await();
                    ctx.createTimer(Duration.ofMillis(100)).await();
                    String b = ctx.callActivity("Step", key + "-b", String.class).await();
                    return a + b;
                })
                .addActivity("Step", ctx -> {
                    String name = ctx.getInput(String.class);
                    int call = calls(name).incrementAndGet();
                    if (name.endsWith("-b") && call == 1) {
                        throw new IllegalStateException("first attempt of b fails");
                    }
                    return name.substring(name.length() - 1);
                }));
        String id = client.scheduleNewOrchestrationInstance("Pipeline");
        awaitStatus(id, RuntimeStatus.FAILED);
        assertThatThrownBy(() -> client.rewind("unknown-" + key, "x")).isInstanceOf(InstanceNotFoundException.class);
        client.rewind(id, "fixed the bug");
        OrchestrationMetadata done = awaitRewound(id);
        assertThat(done.readOutputAs(String.class)).isEqualTo("ab");
        assertThat(calls(key + "-a").get()).as("succeeded work is not rerun").isEqualTo(1);
        assertThat(calls(key + "-b").get()).isEqualTo(2);
        assertThat(client.getHistory(id)).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(HistoryEvent.ExecutionRewound.class,
                r -> assertThat(r.reason()).isEqualTo("fixed the bug")));
        assertThatThrownBy(() -> client.rewind(id, "not failed")).isInstanceOf(InvalidInstanceStateException.class)
                .hasMessageContaining("Only failed instances");
    }

    @Test
    void rewind_ofAFailedSubOrchestration_runsItAgain() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> w
                .addOrchestrator("Parent", ctx -> ctx.callSubOrchestrator("Child", key, String.class).await())
                .addOrchestrator("Child", ctx -> ctx.callActivity("FailOnce", ctx.getInput(String.class), String.class).await())
                .addActivity("FailOnce", ctx -> {
                    if (calls(ctx.getInput(String.class)).incrementAndGet() == 1) {
                        throw new IllegalStateException("once");
                    }
                    return "recovered";
                }));
        String id = client.scheduleNewOrchestrationInstance("Parent");
        awaitStatus(id, RuntimeStatus.FAILED);
        client.rewind(id, "retry child");
        assertThat(awaitRewound(id).readOutputAs(String.class)).isEqualTo("recovered");
    }

    // Rewind on the histories people actually rewind. Activities count their runs by input; "Flaky" fails until its
    // input is marked fixed, "Held" blocks until its latch is released.

    private static final Set<String> FIXED = ConcurrentHashMap.newKeySet();
    private static final Map<String, CountDownLatch> LATCHES = new ConcurrentHashMap<>();

    private static TaskHubWorker.Builder rewindActivities(TaskHubWorker.Builder w) {
        return w
                .addActivity("Count", ctx -> {
                    String input = ctx.getInput(String.class);
                    calls(input).incrementAndGet();
                    return input.substring(input.lastIndexOf('-') + 1);
                })
                .addActivity("Flaky", ctx -> {
                    String input = ctx.getInput(String.class);
                    calls(input).incrementAndGet();
                    if (!FIXED.contains(input)) {
                        throw new IllegalStateException(input + " is broken");
                    }
                    return input.substring(input.lastIndexOf('-') + 1);
                })
                .addActivity("Held", ctx -> {
                    String input = ctx.getInput(String.class);
                    calls(input).incrementAndGet();
                    try {
                        LATCHES.computeIfAbsent(input, k -> new CountDownLatch(1)).await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return input.substring(input.lastIndexOf('-') + 1);
                });
    }

    @Test
    void rewind_afterARetryPolicyUsedUpItsAttempts_runsTheActivityAgainWithAFreshPolicy() {
        String key = UUID.randomUUID().toString();
        RetryPolicy retry = RetryPolicy.builder(3, Duration.ofMillis(20)).build();
        startWorker(w -> rewindActivities(w)
                .addOrchestrator("Retrying", ctx -> {
                    String a = ctx.callActivity("Count", key + "-a", String.class).await();
                    String b = ctx.callActivity("Flaky", key + "-b", String.class, retry).await();
                    String c = ctx.callActivity("Count", key + "-c", String.class).await();
                    return a + b + c;
                }));
        String id = client.scheduleNewOrchestrationInstance("Retrying");
        awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(calls(key + "-b").get()).as("all three attempts were used").isEqualTo(3);
        FIXED.add(key + "-b");
        client.rewind(id, "dependency is back");
        assertThat(awaitRewound(id).readOutputAs(String.class)).isEqualTo("abc");
        assertThat(calls(key + "-a").get()).as("succeeded before the failure: not run again").isEqualTo(1);
        assertThat(calls(key + "-b").get()).isEqualTo(4);
        assertThat(calls(key + "-c").get()).isEqualTo(1);
    }

    @Test
    void rewind_afterACompensationAndRethrow_runsTheFailedActivityAgain_notTheCompensation() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> rewindActivities(w)
                .addOrchestrator("Compensating", ctx -> {
                    ctx.callActivity("Count", key + "-reserve", String.class).await();
                    try {
                        return ctx.callActivity("Flaky", key + "-charge", String.class).await();
                    } catch (TaskFailedException e) {
                        ctx.callActivity("Count", key + "-release", String.class).await();
                        throw e;
                    }
                }));
        String id = client.scheduleNewOrchestrationInstance("Compensating");
        awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(calls(key + "-release").get()).isEqualTo(1);
        FIXED.add(key + "-charge");
        client.rewind(id, "card fixed");
        assertThat(awaitRewound(id).readOutputAs(String.class)).isEqualTo("charge");
        assertThat(calls(key + "-reserve").get()).isEqualTo(1);
        assertThat(calls(key + "-charge").get()).isEqualTo(2);
        assertThat(calls(key + "-release").get()).as("compensation ran once, before the rewind").isEqualTo(1);
    }

    @Test
    void rewind_ofParallelWork_keepsTheResultThatArrivedWhileFailed_andRunsOnlyTheFailedActivityAgain() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> rewindActivities(w)
                .addOrchestrator("Parallel", ctx -> {
                    Task<String> a = ctx.callActivity("Flaky", key + "-a", String.class);
                    Task<String> b = ctx.callActivity("Held", key + "-b", String.class);
                    return a.await() + b.await();
                }));
        String id = client.scheduleNewOrchestrationInstance("Parallel");
        awaitStatus(id, RuntimeStatus.FAILED);
        // b is held until the instance has failed (an activity thread may pick it up only after a's failure)
        await().atMost(WAIT).until(() -> calls(key + "-b").get() == 1);
        LATCHES.computeIfAbsent(key + "-b", k -> new CountDownLatch(1)).countDown();
        // b's result reaches the failed instance and is kept for a rewind
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(e ->
                e instanceof HistoryEvent.TaskCompleted c && "\"b\"".equals(c.result())));
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
        FIXED.add(key + "-a");
        client.rewind(id, "a fixed");
        assertThat(awaitRewound(id).readOutputAs(String.class)).isEqualTo("ab");
        assertThat(calls(key + "-a").get()).isEqualTo(2);
        assertThat(calls(key + "-b").get()).as("b succeeded: not run again").isEqualTo(1);
    }

    @Test
    void rewind_deliversAnEventThatWasRaisedWhileRunning_butArrivedAfterTheFailure() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> rewindActivities(w)
                .addOrchestrator("FailThenWait", ctx -> {
                    String a = ctx.callActivity("Flaky", key + "-a", String.class).await();
                    return a + ctx.waitForExternalEvent("Go", String.class).await();
                }));
        String id = client.scheduleNewOrchestrationInstance("FailThenWait");
        awaitStatus(id, RuntimeStatus.FAILED);
        // raiseEvent accepted the event while the instance still ran; its message reaches the instance only now
        String messageId = UUID.randomUUID().toString();
        provider.sendOrchestrationMessage(new TaskMessage(messageId, id, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "Go", "\"go\"", messageId), null));
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.EventRaised.class::isInstance));
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
        FIXED.add(key + "-a");
        client.rewind(id, "a fixed");
        assertThat(awaitRewound(id).readOutputAs(String.class)).as("the event is not lost").isEqualTo("ago");
    }

    @Test
    void rewind_ofAFailedSubOrchestration_rewindsTheChildInPlace() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> rewindActivities(w)
                .addOrchestrator("Parent", ctx -> ctx.callSubOrchestrator("Child", null, ctx.getInstanceId() + "-child",
                        String.class, null).await())
                .addOrchestrator("Child", ctx -> {
                    String x = ctx.callActivity("Count", key + "-x", String.class).await();
                    return x + ctx.callActivity("Flaky", key + "-y", String.class).await();
                }));
        String id = client.scheduleNewOrchestrationInstance("Parent");
        String child = id + "-child";
        awaitStatus(id, RuntimeStatus.FAILED);
        OrchestrationMetadata failedChild = awaitStatus(child, RuntimeStatus.FAILED);
        FIXED.add(key + "-y");
        client.rewind(id, "y fixed");
        assertThat(awaitRewound(id).readOutputAs(String.class)).isEqualTo("xy");
        OrchestrationMetadata doneChild = awaitStatus(child, RuntimeStatus.COMPLETED);
        assertThat(doneChild.executionId()).as("the same execution, rewound in place").isEqualTo(failedChild.executionId());
        assertThat(doneChild.createdAt()).isEqualTo(failedChild.createdAt());
        assertThat(client.getHistory(child)).anyMatch(HistoryEvent.ExecutionRewound.class::isInstance);
        assertThat(calls(key + "-x").get()).as("the child's succeeded activity is not run again").isEqualTo(1);
        assertThat(calls(key + "-y").get()).isEqualTo(2);
    }

    @Test
    void rewind_ofThreeLevelsOfSubOrchestrations_rewindsEachLevelInPlace() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> rewindActivities(w)
                .addOrchestrator("Top", ctx -> ctx.callActivity("Count", key + "-t", String.class).await()
                        + ctx.callSubOrchestrator("Middle", null, ctx.getInstanceId() + "-m", String.class, null).await())
                .addOrchestrator("Middle", ctx -> ctx.callActivity("Count", key + "-m", String.class).await()
                        + ctx.callSubOrchestrator("Leaf", null, ctx.getInstanceId() + "-l", String.class, null).await())
                .addOrchestrator("Leaf", ctx -> ctx.callActivity("Count", key + "-l", String.class).await()
                        + ctx.callActivity("Flaky", key + "-f", String.class).await()));
        String id = client.scheduleNewOrchestrationInstance("Top");
        List<String> levels = List.of(id, id + "-m", id + "-m-l");
        levels.forEach(level -> awaitStatus(level, RuntimeStatus.FAILED));
        FIXED.add(key + "-f");
        client.rewind(id, "leaf fixed");
        assertThat(awaitRewound(id).readOutputAs(String.class)).isEqualTo("tmlf");
        for (String level : levels) {
            awaitStatus(level, RuntimeStatus.COMPLETED);
            assertThat(client.getHistory(level)).as(level).anyMatch(HistoryEvent.ExecutionRewound.class::isInstance);
        }
        for (String succeeded : List.of("-t", "-m", "-l")) {
            assertThat(calls(key + succeeded).get()).as(succeeded).isEqualTo(1);
        }
        assertThat(calls(key + "-f").get()).isEqualTo(2);
    }

    @Test
    void rewind_afterATimer_doesNotWaitForTheTimerAgain() {
        String key = UUID.randomUUID().toString();
        startWorker(w -> rewindActivities(w)
                .addOrchestrator("Timed", ctx -> {
                    String a = ctx.callActivity("Count", key + "-a", String.class).await();
                    ctx.createTimer(Duration.ofMillis(300)).await();
                    return a + ctx.callActivity("Flaky", key + "-b", String.class).await();
                }));
        String id = client.scheduleNewOrchestrationInstance("Timed");
        awaitStatus(id, RuntimeStatus.FAILED);
        FIXED.add(key + "-b");
        client.rewind(id, "b fixed");
        assertThat(awaitRewound(id).readOutputAs(String.class)).isEqualTo("ab");
        List<HistoryEvent> history = client.getHistory(id);
        assertThat(history).filteredOn(HistoryEvent.TimerCreated.class::isInstance).as("the timer is not created again").hasSize(1);
        assertThat(history).filteredOn(HistoryEvent.TimerFired.class::isInstance).hasSize(1);
        int fired = indexOf(history, HistoryEvent.TimerFired.class);
        assertThat(fired).as("the timer fired before the rewind, not after it").isLessThan(indexOf(history, HistoryEvent.ExecutionRewound.class));
        assertThat(calls(key + "-a").get()).isEqualTo(1);
        assertThat(calls(key + "-b").get()).isEqualTo(2);
    }

    private static int indexOf(List<HistoryEvent> history, Class<? extends HistoryEvent> type) {
        for (int i = 0; i < history.size(); i++) {
            if (type.isInstance(history.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Rewind is asynchronous: the instance stays FAILED until a worker applies the rewind. */
    private OrchestrationMetadata awaitRewound(String id) {
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.ExecutionRewound.class::isInstance));
        // A provider without atomic checkpoints may write the history before the instance row: the row can still say
        // FAILED for a moment after the rewound history is visible.
        await().atMost(WAIT).alias("instance " + id + " completed after its rewind").until(
                () -> client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() != RuntimeStatus.FAILED);
        return awaitStatus(id, RuntimeStatus.COMPLETED);
    }

    // 11. suspend / resume -------------------------------------------------------------------------------------------

    @Test
    void suspend_keepsEventsUntilResume() {
        startStandardWorker();
        String id = client.scheduleNewOrchestrationInstance("WaitForGo");
        client.waitForInstanceStart(id, WAIT);
        client.suspend(id, "maintenance");
        await().atMost(WAIT).until(() -> client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() == RuntimeStatus.SUSPENDED);
        client.raiseEvent(id, "Go", "kept");
        // While suspended the event is recorded but the orchestrator does not run.
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.EventRaised.class::isInstance));
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.SUSPENDED);
        client.resume(id, "done");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("kept");
        assertThatThrownBy(() -> client.suspend(id, "late")).isInstanceOf(InvalidInstanceStateException.class);
        assertThatThrownBy(() -> client.resume("unknown-" + UUID.randomUUID(), "x")).isInstanceOf(InstanceNotFoundException.class);
    }

    // 11b. management before a scheduled start ---------------------------------------------------------------------

    /**
     * A worker (on a provider that records what its checkpoints consumed) whose "Scheduled" orchestrator counts its runs
     * under {@code key} and returns the "Go" event's data; warmed up, so that management messages sent next are
     * handled well before a start time a few seconds away.
     */
    private InterceptingProvider startScheduledWorker(String key) {
        InterceptingProvider watched = new InterceptingProvider(provider);
        startWorker(watched, testOptions().build(), w -> w
                .addOrchestrator("Echo", ctx -> ctx.getInput(Object.class))
                .addOrchestrator("Scheduled", ctx -> {
                    calls(key).incrementAndGet();
                    return ctx.waitForExternalEvent("Go", String.class).await();
                }));
        awaitStatus(client.scheduleNewOrchestrationInstance("Echo", "warm-up"), RuntimeStatus.COMPLETED);
        return watched;
    }

    private String scheduleAt(Instant startAt) {
        return client.scheduleNewOrchestrationInstance("Scheduled", null, NewOrchestrationOptions.defaults().withStartAt(startAt));
    }

    /**
     * Sends the instance a message that becomes visible well after its start message. Messages of one instance are
     * applied in order, so once a checkpoint consumed this one, the start message has been handled too.
     */
    private String sendMarkerAfter(String instanceId, Instant startAt) {
        String messageId = UUID.randomUUID().toString();
        provider.sendOrchestrationMessage(new TaskMessage(messageId, instanceId, null,
                new HistoryEvent.EventRaised(-1, Instant.now(), "Marker", null, messageId), startAt.plusSeconds(2)));
        return messageId;
    }

    private static Optional<HistoryEvent.ExecutionStarted> started(List<HistoryEvent> history) {
        return history.stream().filter(HistoryEvent.ExecutionStarted.class::isInstance).map(HistoryEvent.ExecutionStarted.class::cast).findFirst();
    }

    @Test
    void terminate_beforeTheScheduledStart_staysTerminatedWhenTheStartTimeComes() {
        String key = UUID.randomUUID().toString();
        InterceptingProvider watched = startScheduledWorker(key);
        Instant startAt = Instant.now().plusSeconds(2);
        String id = scheduleAt(startAt);
        assertThatThrownBy(() -> client.rewind(id, "not failed")).isInstanceOf(InvalidInstanceStateException.class);
        client.terminate(id, "not needed");
        awaitStatus(id, RuntimeStatus.TERMINATED);
        List<HistoryEvent> before = client.getHistory(id);
        String marker = sendMarkerAfter(id, startAt);
        await().atMost(WAIT).until(() -> watched.consumed(marker));
        OrchestrationMetadata m = client.getInstanceMetadata(id, true).orElseThrow();
        assertThat(m.runtimeStatus()).isEqualTo(RuntimeStatus.TERMINATED);
        assertThat(m.readOutputAs(String.class)).isEqualTo("not needed");
        assertThat(client.getHistory(id)).isEqualTo(before);
        assertThat(calls(key).get()).as("runs of the terminated orchestrator").isZero();
    }

    /**
     * An event raised before the scheduled start is recorded while the instance is pending, and the orchestrator gets
     * it once it starts — also on a worker that did not record it (the first one stopped in between, so the history is
     * not in any cache and must be read back).
     */
    @Test
    void raiseEvent_beforeTheScheduledStart_isDeliveredOnceTheInstanceStarts_evenOnAnotherWorker() {
        Consumer<TaskHubWorker.Builder> scheduled = w -> w.addOrchestrator("Scheduled",
                ctx -> ctx.waitForExternalEvent("Go", String.class).await());
        TaskHubWorker first = startWorker(scheduled);
        Instant startAt = Instant.now().plusSeconds(3);
        String id = scheduleAt(startAt);
        client.raiseEvent(id, "Go", "raised before the start");
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.EventRaised.class::isInstance));
        first.close();
        if (started(client.getHistory(id)).isEmpty()) {
            assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.PENDING);
        }
        startWorker(scheduled);
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("raised before the start");
        assertThat(started(client.getHistory(id)).orElseThrow().timestamp()).isAfterOrEqualTo(startAt);
    }

    @Test
    void suspend_beforeTheScheduledStart_runsOnlyAfterResume_andKeepsEarlierEvents() {
        String key = UUID.randomUUID().toString();
        startScheduledWorker(key);
        Instant startAt = Instant.now().plusSeconds(2);
        String id = scheduleAt(startAt);
        client.raiseEvent(id, "Go", "raised before the start");
        client.suspend(id, "hold");
        await().atMost(WAIT).until(() -> client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() == RuntimeStatus.SUSPENDED);
        assertThat(client.getHistory(id)).anySatisfy(e -> assertThat(e).isInstanceOf(HistoryEvent.ExecutionSuspended.class));
        // The start time comes while suspended: the start is recorded, the orchestrator does not run.
        await().atMost(WAIT).until(() -> started(client.getHistory(id)).isPresent());
        assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isEqualTo(RuntimeStatus.SUSPENDED);
        assertThat(calls(key).get()).as("runs while suspended").isZero();
        client.resume(id, "go on");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("raised before the start");
        assertThat(calls(key).get()).isEqualTo(1);
        assertThat(started(client.getHistory(id)).orElseThrow().timestamp()).isAfterOrEqualTo(startAt);
    }

    @Test
    void resume_beforeTheScheduledStart_readsPending_andTheInstanceStillWaitsForItsStartTime() {
        String key = UUID.randomUUID().toString();
        startScheduledWorker(key);
        Instant startAt = Instant.now().plusSeconds(3);
        String id = scheduleAt(startAt);
        client.suspend(id, "hold");
        await().atMost(WAIT).until(() -> client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() == RuntimeStatus.SUSPENDED);
        client.resume(id, "release");
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.ExecutionResumed.class::isInstance));
        RuntimeStatus status = client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus();
        if (started(client.getHistory(id)).isEmpty()) {   // read after the status: the start had not arrived yet
            assertThat(status).as("status after resume, before the start time").isEqualTo(RuntimeStatus.PENDING);
            assertThat(calls(key).get()).isZero();
        }
        client.raiseEvent(id, "Go", "after resume");
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("after resume");
        assertThat(started(client.getHistory(id)).orElseThrow().timestamp()).as("never before the start time").isAfterOrEqualTo(startAt);
    }

    @Test
    void purge_afterTerminateBeforeTheScheduledStart_isNotUndoneByTheStartMessage() {
        String key = UUID.randomUUID().toString();
        InterceptingProvider watched = startScheduledWorker(key);
        Instant startAt = Instant.now().plusSeconds(2);
        String id = scheduleAt(startAt);
        assertThatThrownBy(() -> client.purgeInstance(id)).isInstanceOf(InvalidInstanceStateException.class)
                .hasMessageContaining("Pending");
        client.terminate(id, "cancelled");
        awaitStatus(id, RuntimeStatus.TERMINATED);
        assertThat(client.purgeInstance(id)).isEqualTo(1);
        String marker = sendMarkerAfter(id, startAt);
        await().atMost(WAIT).until(() -> watched.consumed(marker));
        assertThat(client.getInstanceMetadata(id, false)).as("purged instance").isEmpty();
        assertThat(provider.getHistory(id)).isEmpty();
        assertThat(calls(key).get()).isZero();
    }

    @Test
    void restart_afterTerminateBeforeTheScheduledStart_runsOnce_andTheOldStartIsIgnored() {
        String key = UUID.randomUUID().toString();
        InterceptingProvider watched = startScheduledWorker(key);
        Instant startAt = Instant.now().plusSeconds(2);
        String id = scheduleAt(startAt);
        assertThatThrownBy(() -> client.restart(id, false)).isInstanceOf(InstanceAlreadyExistsException.class);
        client.terminate(id, "replace it");
        awaitStatus(id, RuntimeStatus.TERMINATED);
        assertThat(client.restart(id, false)).isEqualTo(id);
        client.raiseEvent(id, "Go", "restarted");
        OrchestrationMetadata done = awaitStatus(id, RuntimeStatus.COMPLETED);
        String marker = sendMarkerAfter(id, startAt);
        await().atMost(WAIT).until(() -> watched.consumed(marker));
        OrchestrationMetadata after = client.getInstanceMetadata(id, true).orElseThrow();
        assertThat(after.runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
        assertThat(after.readOutputAs(String.class)).isEqualTo("restarted");
        assertThat(after.executionId()).isEqualTo(done.executionId());
        assertThat(client.getHistory(id).stream().filter(HistoryEvent.ExecutionStarted.class::isInstance)).hasSize(1);
    }

    // 12. restart ----------------------------------------------------------------------------------------------------

    @Test
    void restart_runsAgainWithTheOriginalInput_underTheSameOrANewId() {
        startStandardWorker();
        String id = client.scheduleNewOrchestrationInstance("Echo", "original");
        awaitStatus(id, RuntimeStatus.COMPLETED);
        String newId = client.restart(id, true);
        assertThat(newId).isNotEqualTo(id);
        assertThat(awaitStatus(newId, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("original");
        assertThat(client.restart(id, false)).isEqualTo(id);
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("original");
        String running = client.scheduleNewOrchestrationInstance("WaitForGo");
        assertThatThrownBy(() -> client.restart(running, false)).isInstanceOf(InstanceAlreadyExistsException.class);
        assertThatThrownBy(() -> client.restart("unknown-" + UUID.randomUUID(), true)).isInstanceOf(InstanceNotFoundException.class);
    }

    // 13. purge ------------------------------------------------------------------------------------------------------

    @Test
    void purgeOne_removesAFinishedInstanceAndItsHistory_andRefusesARunningOne() {
        startStandardWorker();
        String id = client.scheduleNewOrchestrationInstance("Echo", 1);
        awaitStatus(id, RuntimeStatus.COMPLETED);
        assertThat(client.purgeInstance(id)).isEqualTo(1);
        assertThat(client.getInstanceMetadata(id, false)).isEmpty();
        assertThat(provider.getHistory(id)).isEmpty();
        assertThatThrownBy(() -> client.purgeInstance(id)).isInstanceOf(InstanceNotFoundException.class);
        String running = client.scheduleNewOrchestrationInstance("WaitForGo");
        assertThatThrownBy(() -> client.purgeInstance(running)).isInstanceOf(InvalidInstanceStateException.class)
                .hasMessageContaining("only finished instances");
    }

    @Test
    void purgeByCriteria_removesOnlyMatchingFinishedInstances() {
        startStandardWorker();
        Instant from = Instant.now().minusMillis(1);
        List<String> completed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            completed.add(client.scheduleNewOrchestrationInstance("Echo", i));
        }
        String failed = client.scheduleNewOrchestrationInstance("Fail");
        String running = client.scheduleNewOrchestrationInstance("WaitForGo");
        completed.forEach(id -> awaitStatus(id, RuntimeStatus.COMPLETED));
        awaitStatus(failed, RuntimeStatus.FAILED);
        client.waitForInstanceStart(running, WAIT);

        assertThat(client.purgeInstances(PurgeCriteria.builder().createdFrom(from).createdTo(Instant.now())
                .statuses(RuntimeStatus.COMPLETED).build())).isEqualTo(5);
        completed.forEach(id -> assertThat(client.getInstanceMetadata(id, false)).isEmpty());
        assertThat(client.getInstanceMetadata(failed, false)).isPresent();
        assertThat(client.purgeInstances(PurgeCriteria.builder().createdFrom(from).build())).isEqualTo(1);
        assertThat(client.getInstanceMetadata(running, false)).isPresent();
        assertThatThrownBy(() -> PurgeCriteria.builder().build()).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> PurgeCriteria.builder().createdFrom(from).statuses(RuntimeStatus.RUNNING).build()).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> PurgeCriteria.builder().createdFrom(Instant.now()).createdTo(from).build()).isInstanceOf(InvalidRequestException.class);
    }

    // 14. create / delete task hub -----------------------------------------------------------------------------------

    @Test
    void deleteTaskHub_removesThisHubOnly() {
        String otherHub = "ct" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        StorageProvider other = createProvider(otherHub);
        try {
            other.createTaskHub();
            other.createTaskHub(); // idempotent
            TaskHubClient otherClient = new TaskHubClient(other);
            String kept = otherClient.scheduleNewOrchestrationInstance("Echo", "other hub");
            String gone = client.scheduleNewOrchestrationInstance("Echo", "this hub");
            assertThat(client.getInstanceMetadata(kept, false)).as("hubs do not see each other").isEmpty();
            client.deleteTaskHub();
            client.createTaskHub();
            assertThat(client.getInstanceMetadata(gone, false)).isEmpty();
            assertThat(otherClient.getInstanceMetadata(kept, true)).get().extracting(OrchestrationMetadata::serializedInput)
                    .isEqualTo("\"other hub\"");
        } finally {
            other.deleteTaskHub();
            other.close();
        }
    }
}

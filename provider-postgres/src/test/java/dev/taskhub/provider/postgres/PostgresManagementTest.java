package dev.taskhub.provider.postgres;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.OrchestrationWorkItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.taskhub.provider.postgres.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Queries, paging, purge and task hub isolation. */
class PostgresManagementTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private PostgresStorageProvider provider;

    @BeforeEach
    void setUp() {
        provider = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgmgmt"), Map.of(PostgresSettings.PURGE_BATCH_SIZE, "7"));
    }

    @AfterEach
    void tearDown() {
        PostgresTestDatabase.deleteAndClose(provider);
    }

    /** Creates instances and drives them to the given status through lock + commit. */
    private void createWithStatus(String id, Instant created, RuntimeStatus status) {
        provider.createInstance(pending(id, created), start(id), Set.of());
        if (status != RuntimeStatus.PENDING) {
            List<OrchestrationWorkItem> items = provider.lockOrchestrationWorkItems(1, LEASE, Duration.ofSeconds(5));
            assertThat(items).hasSize(1);
            OrchestrationWorkItem item = items.get(0);
            assertThat(provider.commitCheckpoints(List.of(episode(item, status, List.of(), List.of())))).containsExactly(CommitResult.COMMITTED);
        }
    }

    private List<String> pageAll(InstanceQuery query, Runnable betweenPages) {
        List<String> ids = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            InstancePage page = provider.queryInstances(query.withContinuationToken(token));
            page.instances().forEach(s -> ids.add(s.instanceId()));
            assertThat(page.instances().size()).isLessThanOrEqualTo(query.pageSize());
            token = page.continuationToken();
            betweenPages.run();
            assertThat(++pages).isLessThan(1000);
        } while (token != null);
        return ids;
    }

    @Test
    void keysetPaging_returnsEveryInstanceExactlyOnce_whileOthersAreCreated() {
        Instant base = now().minusSeconds(3600);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 95; i++) {
            // several share a created time, so the instance id breaks ties
            String id = "page-" + String.format("%03d", i);
            provider.createInstance(pending(id, base.plusSeconds(i / 3)), start(id), Set.of());
            expected.add(id);
        }
        int[] extra = {0};
        List<String> seen = pageAll(InstanceQuery.builder().pageSize(10).build(), () -> {
            String id = "late-" + extra[0]++;
            provider.createInstance(pending(id), start(id), Set.of());
        });
        assertThat(new HashSet<>(seen)).hasSize(seen.size());
        assertThat(seen).containsAll(expected);
        assertThat(seen.subList(0, 95)).isSortedAccordingTo(String::compareTo);
    }

    @Test
    void query_filtersByStatusPrefixAndCreatedRange_andPayloadsOnlyWhenAsked() {
        Instant base = now().minusSeconds(1000);
        createWithStatus("ord-1", base.plusSeconds(1), RuntimeStatus.COMPLETED);
        createWithStatus("ord-2", base.plusSeconds(2), RuntimeStatus.RUNNING);
        createWithStatus("ord-3", base.plusSeconds(3), RuntimeStatus.FAILED);
        createWithStatus("inv_1", base.plusSeconds(4), RuntimeStatus.COMPLETED);
        createWithStatus("invX1", base.plusSeconds(5), RuntimeStatus.PENDING);

        assertThat(ids(InstanceQuery.builder().statuses(RuntimeStatus.COMPLETED).build())).containsExactly("ord-1", "inv_1");
        assertThat(ids(InstanceQuery.builder().statuses(RuntimeStatus.COMPLETED, RuntimeStatus.FAILED, RuntimeStatus.PENDING).pageSize(2).build()))
                .containsExactly("ord-1", "ord-3", "inv_1", "invX1");
        assertThat(ids(InstanceQuery.builder().instanceIdPrefix("ord-").build())).containsExactly("ord-1", "ord-2", "ord-3");
        // '_' is not a wildcard in a prefix
        assertThat(ids(InstanceQuery.builder().instanceIdPrefix("inv_").build())).containsExactly("inv_1");
        assertThat(ids(InstanceQuery.builder().createdFrom(base.plusSeconds(2)).createdTo(base.plusSeconds(4)).build()))
                .containsExactly("ord-2", "ord-3", "inv_1");

        InstanceState lean = provider.queryInstances(InstanceQuery.builder().instanceIdPrefix("ord-1").build()).instances().get(0);
        assertThat(lean.input()).isNull();
        assertThat(lean.output()).isNull();
        InstanceState full = provider.queryInstances(InstanceQuery.builder().instanceIdPrefix("ord-1").fetchInputsAndOutputs(true).build()).instances().get(0);
        assertThat(full.input()).isEqualTo("\"in\"");
        assertThat(full.output()).isEqualTo("\"done\"");
    }

    @Test
    void query_rejectsATamperedToken() {
        for (int i = 0; i < 3; i++) {
            provider.createInstance(pending("q" + i), start("q" + i), Set.of());
        }
        String token = provider.queryInstances(InstanceQuery.builder().pageSize(1).build()).continuationToken();
        assertThat(token).isNotNull();
        assertThatThrownBy(() -> provider.queryInstances(InstanceQuery.builder().continuationToken("x" + token).build()))
                .isInstanceOf(InvalidRequestException.class);
    }

    private List<String> ids(InstanceQuery query) {
        return pageAll(query, () -> {});
    }

    @Test
    void purgeByCriteria_deletesOnlyMatchingTerminalInstances_inBatches() {
        Instant base = now().minusSeconds(1000);
        for (int i = 0; i < 20; i++) {
            createWithStatus("done-" + i, base.plusSeconds(i), RuntimeStatus.COMPLETED);
        }
        createWithStatus("failed", base.plusSeconds(1), RuntimeStatus.FAILED);
        createWithStatus("running", base.plusSeconds(2), RuntimeStatus.RUNNING);
        createWithStatus("done-late", base.plusSeconds(500), RuntimeStatus.COMPLETED);

        long purged = provider.purgeInstances(PurgeCriteria.builder().createdFrom(base).createdTo(base.plusSeconds(100))
                .statuses(RuntimeStatus.COMPLETED).build());
        assertThat(purged).isEqualTo(20);
        assertThat(provider.getInstance("done-3")).isEmpty();
        assertThat(provider.getHistory("done-3")).isEmpty();
        assertThat(provider.getInstance("failed")).isPresent();
        assertThat(provider.getInstance("running")).isPresent();
        assertThat(provider.getInstance("done-late")).isPresent();

        assertThat(provider.purgeInstances(PurgeCriteria.builder().createdFrom(Instant.EPOCH).build())).isEqualTo(2);
        assertThat(provider.getInstance("running")).isPresent();
    }

    @Test
    void purgeInstance_onlyTerminal() {
        createWithStatus("r", now(), RuntimeStatus.RUNNING);
        createWithStatus("c", now(), RuntimeStatus.COMPLETED);
        assertThat(provider.purgeInstance("r")).isFalse();
        assertThat(provider.purgeInstance("c")).isTrue();
        assertThat(provider.purgeInstance("c")).isFalse();
        assertThat(provider.purgeInstance("nope")).isFalse();
        assertThat(provider.getInstance("r")).isPresent();
        assertThat(provider.getHistory("c")).isEmpty();
    }

    @Test
    void twoHubs_areIsolated_andDeletingOneLeavesTheOther() {
        PostgresStorageProvider other = PostgresTestDatabase.createdProvider(PostgresTestDatabase.hubName("pgother"), Map.of());
        try {
            provider.createInstance(pending("same-id"), start("same-id"), Set.of());
            other.createInstance(pending("same-id"), start("same-id"), Set.of());
            other.createInstance(pending("only-other"), start("only-other"), Set.of());

            List<OrchestrationWorkItem> mine = provider.lockOrchestrationWorkItems(10, LEASE, Duration.ofSeconds(2));
            assertThat(mine).extracting(OrchestrationWorkItem::instanceId).containsExactly("same-id");
            assertThat(provider.getInstance("only-other")).isEmpty();
            assertThat(ids(InstanceQuery.builder().build())).containsExactly("same-id");

            provider.deleteTaskHub();
            assertThat(provider.getInstance("same-id")).isEmpty();
            assertThat(other.getInstance("same-id")).isPresent();
            assertThat(other.lockOrchestrationWorkItems(10, LEASE, Duration.ofSeconds(2))).hasSize(2);
            provider.deleteTaskHub(); // idempotent
            provider.createTaskHub();
        } finally {
            PostgresTestDatabase.deleteAndClose(other);
        }
    }
}

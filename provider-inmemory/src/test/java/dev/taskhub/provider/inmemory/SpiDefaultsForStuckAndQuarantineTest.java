package dev.taskhub.provider.inmemory;

import dev.taskhub.ConfigurationException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantinedMessage;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.InstanceStore;
import dev.taskhub.spi.QuarantineStore;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.ForwardingStorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.WorkerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a provider that implements neither {@code findStuckInstances} nor {@link QuarantineStore} gets from the SPI's
 * defaults: the pending instances (and says it sees nothing else), no records, a clear refusal to keep one — and a
 * worker on it still dead-letters poison messages, failing the instance as before.
 */
class SpiDefaultsForStuckAndQuarantineTest {
    private final InMemoryStorageProvider store = InMemoryStorageProvider.create("Defaults" + UUID.randomUUID(), Clock.systemUTC());
    private TaskHubWorker worker;

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
        store.deleteTaskHub();
    }

    /** An instance store with only the abstract methods, over the in-memory one. */
    private final InstanceStore defaultsOnly = new InstanceStore() {
        @Override
        public void createInstance(InstanceState state, TaskMessage startMessage, Set<RuntimeStatus> replaceableStatuses) {
            store.createInstance(state, startMessage, replaceableStatuses);
        }

        @Override
        public Optional<InstanceState> getInstance(String instanceId) {
            return store.getInstance(instanceId);
        }

        @Override
        public InstancePage queryInstances(InstanceQuery query) {
            return store.queryInstances(query);
        }

        @Override
        public boolean purgeInstance(String instanceId) {
            return store.purgeInstance(instanceId);
        }

        @Override
        public long purgeInstances(PurgeCriteria criteria) {
            return store.purgeInstances(criteria);
        }
    };

    @Test
    void findStuckInstancesDefault_seesPendingInstancesOnly_andSaysSo() throws Exception {
        TaskHubClient client = new TaskHubClient(store);
        String first = client.scheduleNewOrchestrationInstance("Nobody", null, NewOrchestrationOptions.withInstanceId("a-first"));
        String second = client.scheduleNewOrchestrationInstance("Nobody", null, NewOrchestrationOptions.withInstanceId("b-second"));
        client.scheduleNewOrchestrationInstance("Nobody", null, NewOrchestrationOptions.builder().instanceId("later")
                .startAt(Instant.now().plusSeconds(3600)).build());
        Thread.sleep(5);
        StuckInstances stuck = defaultsOnly.findStuckInstances(StuckQuery.builder().threshold(Duration.ofMillis(1)).build(), Instant.now());
        assertThat(stuck.examined()).containsExactly(StuckReason.PENDING);
        assertThat(stuck.instances()).extracting(StuckInstance::instanceId).containsExactly(first, second);
        assertThat(stuck.instances()).allSatisfy(s -> assertThat(s.reasons()).containsExactly(StuckReason.PENDING));
        StuckInstances one = defaultsOnly.findStuckInstances(StuckQuery.builder().threshold(Duration.ofMillis(1)).limit(1).build(), Instant.now());
        assertThat(one.instances()).extracting(StuckInstance::instanceId).containsExactly(first);
        assertThat(one.more()).isTrue();
        assertThat(defaultsOnly.findStuckInstances(StuckQuery.defaults(), Instant.now()).instances()).isEmpty();
    }

    @Test
    void quarantineDefaults_keepNothing_andRefuseToStoreWithTheReason() {
        QuarantineStore none = new QuarantineStore() { };
        Instant now = Instant.now();
        QuarantineRecord record = new QuarantineRecord("r", "i", null, QuarantineRecord.Kind.ORCHESTRATION,
                List.of(new QuarantinedMessage("m", null, new HistoryEvent.EventRaised(-1, now, "Go", null, "m"), null)), 3, "test", now);
        assertThatThrownBy(() -> none.putQuarantineRecord(record)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot keep quarantined messages");
        assertThat(none.listQuarantineRecords(QuarantineQuery.builder().build()).records()).isEmpty();
        assertThat(none.getQuarantineRecord("r")).isEmpty();
        assertThat(none.deleteQuarantineRecord("r")).isFalse();
    }

    @Test
    void aWorkerOnAProviderWithoutQuarantine_stillDeadLettersPoisonMessages() {
        QuarantineStore none = new QuarantineStore() { };
        StorageProvider withoutQuarantine = new ForwardingStorageProvider(store) {
            @Override
            public void putQuarantineRecord(QuarantineRecord record) {
                none.putQuarantineRecord(record);
            }
        };
        TaskHubClient client = new TaskHubClient(withoutQuarantine);
        String id = client.scheduleNewOrchestrationInstance("Poison");
        for (int i = 0; i < 2; i++) {
            store.abandonOrchestrationWorkItem(store.lockOrchestrationWorkItems(1, Duration.ofSeconds(30), Duration.ofSeconds(5)).get(0),
                    Duration.ZERO);
        }
        worker = TaskHubWorker.builder(withoutQuarantine).addOrchestrator("Poison", ctx -> "never")
                .options(WorkerOptions.builder().maxDeliveryCount(2).retentionInterval(Duration.ZERO).build()).build().start();
        OrchestrationMetadata failed = client.waitForInstanceCompletion(id, Duration.ofSeconds(30), Duration.ofMillis(20));
        assertThat(failed.runtimeStatus()).isEqualTo(RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().errorType()).isEqualTo("PoisonMessage");
        assertThat(store.listQuarantineRecords(QuarantineQuery.builder().build()).records()).isEmpty();
    }
}

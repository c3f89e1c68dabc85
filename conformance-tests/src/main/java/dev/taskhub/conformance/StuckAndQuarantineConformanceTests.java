package dev.taskhub.conformance;

import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.QuarantineRecordNotFoundException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HubHealth;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.orchestration.TaskFailedException;
import dev.taskhub.quarantine.QuarantineReplayer;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantineReplay;
import dev.taskhub.query.QuarantinedMessage;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import dev.taskhub.spi.ActivityWorkItem;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.OrchestrationWorkItem;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Stuck instances and the quarantine of poison messages on this provider: workers really exceed the maximum delivery
 * count (5 in the suite) and the record is checked, replayed and discarded; records are paged, filtered, replaced by
 * id and removed with their instance and with the hub; each stuck reason the provider says it examines is provoked and
 * found, with its facts. A reason the provider does not examine is skipped with that reason.
 */
public abstract class StuckAndQuarantineConformanceTests extends ConformanceTestBase {
    private static final StuckQuery NOW = StuckQuery.builder().threshold(Duration.ZERO).build();

    /** Locks and abandons the instance's work item {@code times} times, as workers that crash on it would. */
    private void crashOn(String instanceId, int times) {
        for (int i = 0; i < times; i++) {
            provider.abandonOrchestrationWorkItem(lockInstance(provider, instanceId, Duration.ofSeconds(30)), Duration.ZERO);
        }
    }

    private QuarantineRecord onlyRecordOf(String instanceId) {
        List<QuarantineRecord> records = client.listQuarantineRecords(QuarantineQuery.builder().instanceId(instanceId).build()).records();
        assertThat(records).as("quarantine records of %s", instanceId).hasSize(1);
        return records.get(0);
    }

    /** Waits until the replayed instance has left FAILED and finished again; returns its status. */
    private OrchestrationMetadata awaitReplayed(String instanceId, RuntimeStatus expected) {
        await().atMost(WAIT).until(() -> client.getInstanceMetadata(instanceId, false).orElseThrow().runtimeStatus() != RuntimeStatus.FAILED);
        return awaitStatus(instanceId, expected);
    }

    private StuckInstance stuck(String instanceId, StuckQuery query) {
        return client.findStuckInstances(query).instances().stream().filter(s -> s.instanceId().equals(instanceId)).findFirst()
                .orElse(null);
    }

    private void requiresExamined(StuckReason reason) {
        Set<StuckReason> examined = client.findStuckInstances(NOW).examined();
        Assumptions.assumeTrue(examined.contains(reason), () -> "Skipped: provider '" + provider.providerName()
                + "' does not look for " + reason.wireName() + " (it examines " + examined + "); see docs/operations.md");
    }

    // ---- poison messages ---------------------------------------------------------------------------------------------

    @Test
    void poisonOrchestrationMessages_areQuarantinedWithTheReason_andReplayCompletesTheInstance() {
        String id = client.scheduleNewOrchestrationInstance("PoisonThenFine", "in");
        OrchestrationWorkItem first = lockInstance(provider, id, Duration.ofSeconds(30));
        TaskMessage start = first.messages().get(0);
        provider.abandonOrchestrationWorkItem(first, Duration.ZERO);
        crashOn(id, 4);
        startWorker(w -> w.addOrchestrator("PoisonThenFine", ctx -> "done with " + ctx.getInput(String.class)));
        OrchestrationMetadata failed = awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().errorType()).isEqualTo("PoisonMessage");

        QuarantineRecord record = onlyRecordOf(id);
        assertThat(record.kind()).isEqualTo(QuarantineRecord.Kind.ORCHESTRATION);
        assertThat(record.deliveryCount()).isEqualTo(6);
        assertThat(record.reason()).contains("delivered 6 times").contains("ExecutionStarted");
        assertThat(record.executionId()).isNotNull();
        assertThat(record.messages()).extracting(QuarantinedMessage::messageId).containsExactly(start.messageId());
        assertThat(record.messages().get(0).event()).isInstanceOf(HistoryEvent.ExecutionStarted.class);
        assertThat(client.getQuarantineRecord(record.id())).contains(record);
        HubHealth health = client.health(Duration.ofHours(1));
        assertThat(health.status()).isEqualTo(HubHealth.Status.DEGRADED);
        assertThat(health.quarantined()).isEqualTo(1);
        assertThat(health.problem()).contains("quarantine");

        QuarantineReplay replay = client.replayQuarantineRecord(record.id());
        assertThat(replay.rewound()).isTrue();
        assertThat(replay.messagesSent()).isEqualTo(1);
        assertThat(awaitReplayed(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("done with in");
        assertThat(client.getQuarantineRecord(record.id())).isEmpty();
        assertThatThrownBy(() -> client.replayQuarantineRecord(record.id())).isInstanceOf(QuarantineRecordNotFoundException.class);
    }

    @Test
    void poisonMessagesOfARunningInstance_areReplayedInOrder_andAReplayAgainAppliesNothingTwice() {
        startWorker(w -> w.addOrchestrator("Collect", ctx -> {
            String a = ctx.waitForExternalEvent("A", String.class).await();
            String b = ctx.waitForExternalEvent("B", String.class).await();
            return a + b;
        }));
        String id = client.scheduleNewOrchestrationInstance("Collect");
        client.waitForInstanceStart(id, WAIT);
        await().atMost(WAIT).until(() -> client.getHistory(id).stream().anyMatch(HistoryEvent.OrchestratorCompleted.class::isInstance));
        closeWorkers();
        client.raiseEvent(id, "A", "x");
        client.raiseEvent(id, "B", "y");
        crashOn(id, 5);
        startWorker(w -> w.addOrchestrator("Collect", ctx -> {
            String a = ctx.waitForExternalEvent("A", String.class).await();
            String b = ctx.waitForExternalEvent("B", String.class).await();
            return a + b;
        }));
        awaitStatus(id, RuntimeStatus.FAILED);
        QuarantineRecord record = onlyRecordOf(id);
        assertThat(record.messages()).extracting(m -> ((HistoryEvent.EventRaised) m.event()).name()).containsExactly("A", "B");

        client.replayQuarantineRecord(record.id());
        // the replay runs again (as when its process died before deleting the record): the same messages once more
        for (QuarantinedMessage m : record.messages()) {
            provider.sendOrchestrationMessage(new TaskMessage(QuarantineReplayer.replayedMessageId(record, m.messageId()), id,
                    m.executionId(), m.event(), m.visibleAt()));
        }
        assertThat(awaitReplayed(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("xy");
        await().atMost(WAIT).until(() -> {
            List<OrchestrationWorkItem> pending = provider.lockOrchestrationWorkItems(10, Duration.ofSeconds(30), Duration.ZERO);
            pending.forEach(item -> provider.abandonOrchestrationWorkItem(item, Duration.ZERO));
            return pending.isEmpty();
        });
        assertThat(client.getHistory(id).stream().filter(HistoryEvent.EventRaised.class::isInstance)).as("each event applied once")
                .hasSize(2);
    }

    @Test
    void poisonActivityMessage_isQuarantined_andReplayRunsTheActivityAgain() {
        startWorker(provider, testOptions().processActivities(false).build(),
                w -> w.addOrchestrator("CallFlaky", ctx -> ctx.callActivity("Flaky", "arg", String.class).await()));
        String id = client.scheduleNewOrchestrationInstance("CallFlaky");
        String messageId = crashActivity(5);
        startWorker(w -> w.addActivity("Flaky", ctx -> "ran with " + ctx.getInput(String.class)));
        OrchestrationMetadata failed = awaitStatus(id, RuntimeStatus.FAILED);
        assertThat(failed.failureDetails().orElseThrow().message()).contains("PoisonMessage");

        QuarantineRecord record = onlyRecordOf(id);
        assertThat(record.kind()).isEqualTo(QuarantineRecord.Kind.ACTIVITY);
        assertThat(record.deliveryCount()).isEqualTo(6);
        assertThat(record.messages()).singleElement().satisfies(m -> {
            assertThat(m.messageId()).isEqualTo(messageId);
            assertThat(m.event()).isInstanceOfSatisfying(HistoryEvent.TaskScheduled.class, t -> {
                assertThat(t.name()).isEqualTo("Flaky");
                assertThat(t.input()).isEqualTo("\"arg\"");
            });
        });
        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().kind(QuarantineRecord.Kind.ORCHESTRATION).build())
                .records()).isEmpty();

        QuarantineReplay replay = client.replayQuarantineRecord(record.id());
        assertThat(replay.rewound()).isTrue();
        assertThat(replay.messagesSent()).isZero();
        assertThat(awaitReplayed(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("ran with arg");
        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().build()).records()).isEmpty();
    }

    @Test
    void replayOfAnActivityRecord_isRefusedWhenTheOrchestrationHandledTheFailure_andDiscardDeletesIt() {
        startWorker(provider, testOptions().processActivities(false).build(),
                w -> w.addOrchestrator("Tolerant", ctx -> {
                    try {
                        return ctx.callActivity("Flaky", null, String.class).await();
                    } catch (TaskFailedException e) {
                        return "handled " + e.failureDetails().errorType();
                    }
                }));
        String id = client.scheduleNewOrchestrationInstance("Tolerant");
        crashActivity(5);
        startWorker(w -> w.addActivity("Flaky", ctx -> "never"));
        assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("handled PoisonMessage");
        QuarantineRecord record = onlyRecordOf(id);

        assertThatThrownBy(() -> client.replayQuarantineRecord(record.id())).isInstanceOf(InvalidInstanceStateException.class)
                .hasMessageContaining("Completed").hasMessageContaining("discard");
        assertThat(client.getQuarantineRecord(record.id())).as("a refused replay keeps the record").isPresent();
        client.discardQuarantineRecord(record.id());
        assertThat(client.getQuarantineRecord(record.id())).isEmpty();
        assertThatThrownBy(() -> client.discardQuarantineRecord(record.id())).isInstanceOf(QuarantineRecordNotFoundException.class);
        assertThat(client.getHistory(id)).as("discard changes no instance").anyMatch(HistoryEvent.ExecutionCompleted.class::isInstance);
    }

    /** Locks and abandons the activity message {@code times} times; returns its message id. */
    private String crashActivity(int times) {
        String messageId = null;
        for (int i = 0; i < times; i++) {
            List<ActivityWorkItem> locked = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                locked.addAll(provider.lockActivityWorkItems(1, Duration.ofSeconds(30), Duration.ofMillis(200)));
                return !locked.isEmpty();
            });
            assertThat(locked.get(0).deliveryCount()).isEqualTo(i + 1);
            messageId = locked.get(0).request().messageId();
            provider.abandonActivityWorkItem(locked.get(0), Duration.ZERO);
        }
        return messageId;
    }

    // ---- the quarantine store ----------------------------------------------------------------------------------------

    private static QuarantineRecord record(String instanceId, String firstMessageId, QuarantineRecord.Kind kind, Instant at) {
        HistoryEvent event = kind == QuarantineRecord.Kind.ACTIVITY
                ? new HistoryEvent.TaskScheduled(3, at, "Work", "{\"n\":1}")
                : new HistoryEvent.EventRaised(-1, at, "Go", "\"payload\"", firstMessageId);
        List<QuarantinedMessage> messages = List.of(new QuarantinedMessage(firstMessageId, "exec-1", event, null),
                new QuarantinedMessage(firstMessageId + "-2", null,
                        new HistoryEvent.TimerFired(-1, at, 4, at.plusSeconds(1)), at.plusSeconds(1)));
        return new QuarantineRecord(Ids.derived("quarantine", instanceId, firstMessageId), instanceId, "exec-1", kind,
                kind == QuarantineRecord.Kind.ACTIVITY ? messages.subList(0, 1) : messages, 7, "reason of " + firstMessageId, at);
    }

    @Test
    void quarantineRecords_arePagedInOrder_filtered_replacedById_andRoundTripExactly() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS);
        List<QuarantineRecord> written = List.of(
                record("qa", "m1", QuarantineRecord.Kind.ORCHESTRATION, t0),
                record("qa", "m2", QuarantineRecord.Kind.ACTIVITY, t0.plusMillis(1)),
                record("qb", "m3", QuarantineRecord.Kind.ORCHESTRATION, t0.plusMillis(1)),
                record("qa", "m4", QuarantineRecord.Kind.ORCHESTRATION, t0.plusMillis(2)),
                record("qb", "m5", QuarantineRecord.Kind.ACTIVITY, t0.plusMillis(3)));
        for (int i = written.size() - 1; i >= 0; i--) {
            provider.putQuarantineRecord(written.get(i));
        }
        List<QuarantineRecord> seen = new ArrayList<>();
        QuarantineQuery query = QuarantineQuery.builder().pageSize(2).build();
        int pages = 0;
        while (true) {
            QuarantinePage page = client.listQuarantineRecords(query);
            assertThat(page.records()).hasSizeLessThanOrEqualTo(2);
            seen.addAll(page.records());
            pages++;
            if (page.continuationToken() == null) {
                break;
            }
            query = query.withContinuationToken(page.continuationToken());
        }
        assertThat(pages).isGreaterThanOrEqualTo(3);
        List<QuarantineRecord> expected = new ArrayList<>(written);
        expected.sort(dev.taskhub.spi.support.QuarantineRecords.ORDER);
        assertThat(seen).containsExactlyElementsOf(expected);

        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().instanceId("qa").build()).records())
                .extracting(QuarantineRecord::instanceId).containsOnly("qa").hasSize(3);
        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().instanceId("qb")
                .kind(QuarantineRecord.Kind.ACTIVITY).build()).records()).containsExactly(written.get(4));
        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().instanceId("q").build()).records())
                .as("the instance filter is exact, not a prefix").isEmpty();

        QuarantineRecord again = new QuarantineRecord(written.get(0).id(), "qa", "exec-1", QuarantineRecord.Kind.ORCHESTRATION,
                written.get(0).messages(), 9, "written again", t0.plusMillis(5));
        provider.putQuarantineRecord(again);
        assertThat(client.getQuarantineRecord(again.id())).contains(again);
        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().build()).records()).hasSize(5);
        assertThatThrownBy(() -> client.listQuarantineRecords(QuarantineQuery.builder().continuationToken("forged!").build()))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(client.getQuarantineRecord("nothing-here")).isEmpty();
    }

    @Test
    void quarantineRecords_goWithTheirInstancesPurge_andWithTheHub() {
        startWorker(w -> w.addOrchestrator("Quick", ctx -> "done"));
        String purged = client.scheduleNewOrchestrationInstance("Quick");
        String kept = client.scheduleNewOrchestrationInstance("Quick");
        awaitStatus(purged, RuntimeStatus.COMPLETED);
        awaitStatus(kept, RuntimeStatus.COMPLETED);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        provider.putQuarantineRecord(record(purged, "p1", QuarantineRecord.Kind.ORCHESTRATION, at));
        provider.putQuarantineRecord(record(purged, "p2", QuarantineRecord.Kind.ACTIVITY, at));
        QuarantineRecord other = record(kept, "k1", QuarantineRecord.Kind.ORCHESTRATION, at);
        provider.putQuarantineRecord(other);

        assertThat(client.purgeInstance(purged)).isEqualTo(1);
        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().build()).records()).containsExactly(other);

        client.deleteTaskHub();
        client.createTaskHub();
        assertThat(client.listQuarantineRecords(QuarantineQuery.builder().build()).records()).isEmpty();
        assertThat(client.getQuarantineRecord(other.id())).isEmpty();
    }

    // ---- stuck instances ---------------------------------------------------------------------------------------------

    @Test
    void pendingInstance_withoutAWorker_isStuck_butNotAScheduledOneOrWithinTheThreshold() {
        String id = client.scheduleNewOrchestrationInstance("NobodyRunsMe");
        String later = client.scheduleNewOrchestrationInstance("NobodyRunsMe", null,
                NewOrchestrationOptions.builder().startAt(Instant.now().plus(Duration.ofHours(1))).build());
        await().atMost(WAIT).until(() -> stuck(id, NOW) != null);
        StuckInstance found = stuck(id, NOW);
        assertThat(found.reasons()).contains(StuckReason.PENDING);
        assertThat(found.status()).isEqualTo(RuntimeStatus.PENDING);
        assertThat(found.name()).isEqualTo("NobodyRunsMe");
        assertThat(stuck(later, NOW)).as("a start scheduled for later is not stuck").isNull();
        assertThat(stuck(id, StuckQuery.builder().threshold(Duration.ofHours(1)).build())).as("within the threshold").isNull();
        HubHealth health = client.health(Duration.ZERO);
        assertThat(health.status()).isEqualTo(HubHealth.Status.DEGRADED);
        assertThat(health.stuckPending()).isEqualTo(1);
        assertThat(health.stuckInstances()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void stuckInstances_areOrderedByCreation_andCutAtTheLimit() {
        String suffix = uniqueId("");
        List<String> ids = List.of("a" + suffix, "b" + suffix, "c" + suffix);
        ids.forEach(id -> client.scheduleNewOrchestrationInstance("NobodyRunsMe", null, NewOrchestrationOptions.withInstanceId(id)));
        await().atMost(WAIT).until(() -> client.findStuckInstances(NOW).instances().size() >= 3);
        StuckInstances two = client.findStuckInstances(StuckQuery.builder().threshold(Duration.ZERO).limit(2).build());
        assertThat(two.instances()).extracting(StuckInstance::instanceId).containsExactlyElementsOf(ids.subList(0, 2));
        assertThat(two.more()).isTrue();
        StuckInstances all = client.findStuckInstances(NOW);
        assertThat(all.instances()).extracting(StuckInstance::instanceId).containsExactlyElementsOf(ids);
        assertThat(all.more()).isFalse();
        assertThat(all.examined()).contains(StuckReason.PENDING);
    }

    @Test
    void lockPastItsLease_andRepeatedDeliveries_areStuck_withTheFacts() {
        requiresExamined(StuckReason.LOCKED_PAST_LEASE);
        String id = client.scheduleNewOrchestrationInstance("NobodyRunsMe");
        OrchestrationWorkItem first = lockInstance(provider, id, Duration.ofMillis(500));
        assertThat(stuck(id, NOW)).as("while the lease lasts").satisfiesAnyOf(
                s -> assertThat(s).isNull(),
                s -> assertThat(s.reasons()).doesNotContain(StuckReason.LOCKED_PAST_LEASE));
        await().atMost(WAIT).until(() -> Instant.now().isAfter(first.lockedUntil().plusMillis(50)));
        StuckInstance locked = stuck(id, NOW);
        assertThat(locked.reasons()).contains(StuckReason.LOCKED_PAST_LEASE).doesNotContain(StuckReason.REPEATED_FAILURES);
        assertThat(locked.lockExpiredAt()).isBetween(first.lockedUntil().minusMillis(1), first.lockedUntil().plusMillis(1));
        assertThat(locked.deliveryCount()).isEqualTo(1);
        assertThat(stuck(id, StuckQuery.builder().threshold(Duration.ofHours(1)).build())).isNull();

        OrchestrationWorkItem second = lockInstance(provider, id, Duration.ofSeconds(30));
        assertThat(second.deliveryCount()).isEqualTo(2);
        StuckInstance repeated = stuck(id, NOW);
        assertThat(repeated.reasons()).contains(StuckReason.REPEATED_FAILURES).doesNotContain(StuckReason.LOCKED_PAST_LEASE);
        assertThat(repeated.deliveryCount()).isEqualTo(2);
        assertThat(stuck(id, StuckQuery.builder().threshold(Duration.ZERO).repeatedDeliveries(3).build()))
                .satisfiesAnyOf(s -> assertThat(s).isNull(), s -> assertThat(s.reasons()).doesNotContain(StuckReason.REPEATED_FAILURES));
        provider.abandonOrchestrationWorkItem(second, Duration.ZERO);
    }

    @Test
    void runningInstance_withATimerDueButNotApplied_hasAnOverdueTimer() {
        requiresExamined(StuckReason.OVERDUE_TIMER);
        String id = client.scheduleNewOrchestrationInstance("NobodyRunsMe");
        OrchestrationWorkItem item = lockInstance(provider, id, Duration.ofSeconds(30));
        Instant now = Instant.now();
        assertThat(provider.commitCheckpoints(List.of(new Checkpoint(item, List.of(new HistoryEvent.OrchestratorStarted(-1, now),
                new HistoryEvent.TimerCreated(0, now, now.plusMillis(300))), false,
                item.instance().withStatus(RuntimeStatus.RUNNING, now), List.of(), List.of()))).get(0).isCommitted()).isTrue();
        HistoryEvent.TimerCreated created = new HistoryEvent.TimerCreated(0, now, now.plusMillis(300));
        provider.sendOrchestrationMessage(TaskMessage.timerFired(Ids.random(), id, item.instance().executionId(), created));
        assertThat(Optional.ofNullable(stuck(id, NOW)).map(StuckInstance::reasons).orElse(Set.of()))
                .as("not due yet").doesNotContain(StuckReason.OVERDUE_TIMER);
        await().atMost(WAIT).until(() -> stuck(id, NOW) != null);
        StuckInstance overdue = stuck(id, NOW);
        assertThat(overdue.reasons()).contains(StuckReason.OVERDUE_TIMER);
        assertThat(overdue.status()).isEqualTo(RuntimeStatus.RUNNING);
        assertThat(overdue.oldestDueAt()).isNotNull().isBeforeOrEqualTo(Instant.now());
        assertThat(stuck(id, StuckQuery.builder().threshold(Duration.ofHours(1)).build())).isNull();
    }

    @Test
    void badStuckQueries_areRefusedWithWhatToFix() {
        assertThatThrownBy(() -> StuckQuery.builder().limit(0).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("limit");
        assertThatThrownBy(() -> StuckQuery.builder().threshold(Duration.ofSeconds(-1)).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("threshold");
        assertThatThrownBy(() -> StuckQuery.builder().repeatedDeliveries(1).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("at least 2");
        assertThat(client.findStuckInstances(StuckQuery.defaults()).instances()).isEmpty();
    }
}

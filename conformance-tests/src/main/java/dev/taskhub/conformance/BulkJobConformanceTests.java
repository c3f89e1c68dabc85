package dev.taskhub.conformance;

import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.jobs.BulkJob;
import dev.taskhub.jobs.BulkJobProgress;
import dev.taskhub.jobs.BulkJobRequest;
import dev.taskhub.jobs.BulkJobs;
import dev.taskhub.jobs.BulkOperation;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.spi.TaskMessage;
import dev.taskhub.spi.support.Ids;
import dev.taskhub.worker.TaskHubWorker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Bulk jobs on this provider: every operation over the instances a filter matches, run by the hub's workers as a
 * durable job that records its progress, skips (with the reason) what does not apply, can be paused, resumed and
 * canceled, goes on after its worker stopped, and changes nothing more when run again.
 */
public abstract class BulkJobConformanceTests extends ConformanceTestBase {
    private BulkJobs jobs;

    @BeforeEach
    void setUpJobs() {
        jobs = new BulkJobs(client);
    }

    private TaskHubWorker startJobWorker() {
        return startWorker(w -> w
                .addOrchestrator("Echo", ctx -> ctx.getInput(Object.class))
                .addOrchestrator("WaitForGo", ctx -> ctx.waitForExternalEvent("Go", String.class).await())
                .addOrchestrator("Idle", ctx -> ctx.waitForExternalEvent("Never", String.class).await()));
    }

    private List<String> start(String name, String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = prefix + i;
            client.scheduleNewOrchestrationInstance(name, "in-" + i, NewOrchestrationOptions.withInstanceId(id));
            ids.add(id);
        }
        return ids;
    }

    private BulkJob awaitJob(String jobId, BulkJob.State state) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> jobs.get(jobId).orElseThrow().state().isFinished()
                || jobs.get(jobId).orElseThrow().state() == state);
        BulkJob job = jobs.get(jobId).orElseThrow();
        assertThat(job.state()).as("job %s: %s", jobId, job).isEqualTo(state);
        return job;
    }

    @Test
    void terminate_endsEveryMatchingInstance_inPages_andLeavesTheOthers() {
        startJobWorker();
        List<String> targets = start("WaitForGo", "t-", 12);
        List<String> others = start("Idle", "t-idle-", 3);
        String done = client.scheduleNewOrchestrationInstance("Echo", 1);
        awaitStatus(done, RuntimeStatus.COMPLETED);
        BulkJobRequest request = BulkJobRequest.builder(BulkOperation.TERMINATE).jobId("terminate-1").name("WaitForGo")
                .statuses(RuntimeStatus.PENDING, RuntimeStatus.RUNNING).reason("cleaning up").pageSize(5).build();
        assertThat(jobs.dryRun(request)).isEqualTo(12);

        BulkJob job = awaitJob(jobs.start(request).jobId(), BulkJob.State.COMPLETED);

        assertThat(job.progress().expected()).isEqualTo(12);
        assertThat(job.progress().matched()).isEqualTo(12);
        assertThat(job.progress().done()).isEqualTo(12);
        assertThat(job.progress().skipped() + job.progress().failed()).isZero();
        for (String id : targets) {
            assertThat(awaitStatus(id, RuntimeStatus.TERMINATED).readOutputAs(String.class)).isEqualTo("cleaning up");
        }
        for (String id : others) {
            assertThat(client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus()).isIn(RuntimeStatus.PENDING, RuntimeStatus.RUNNING);
        }
        assertThat(jobs.dryRun(request)).as("nothing left to terminate").isZero();
    }

    @Test
    void purge_removesFinishedInstances_skipsUnfinishedOnesWithTheReason_andARerunChangesNothing() {
        startJobWorker();
        List<String> finished = start("Echo", "p-done-", 6);
        finished.forEach(id -> awaitStatus(id, RuntimeStatus.COMPLETED));
        List<String> running = start("WaitForGo", "p-run-", 2);
        BulkJobRequest request = BulkJobRequest.builder(BulkOperation.PURGE).jobId("purge-1").instanceIdPrefix("p-").pageSize(4).build();

        BulkJob job = awaitJob(jobs.start(request).jobId(), BulkJob.State.COMPLETED);

        assertThat(job.progress().matched()).isEqualTo(8);
        assertThat(job.progress().done()).isEqualTo(6);
        assertThat(job.progress().skipped()).isEqualTo(2);
        assertThat(job.progress().issues()).extracting(BulkJobProgress.Issue::instanceId).containsExactlyInAnyOrderElementsOf(running);
        assertThat(job.progress().issues()).allSatisfy(issue -> {
            assertThat(issue.outcome()).isEqualTo(BulkJobProgress.Outcome.SKIPPED);
            assertThat(issue.reason()).contains("only finished instances are purged");
        });
        finished.forEach(id -> assertThat(client.getInstanceMetadata(id, false)).as(id).isEmpty());

        assertThat(jobs.start(request)).as("the same job id again: that job, nothing new").satisfies(again -> {
            assertThat(again.createdAt()).isEqualTo(job.createdAt());
            assertThat(again.progress()).isEqualTo(job.progress());
        });
        BulkJob rerun = awaitJob(jobs.start(request.withJobId("purge-2")).jobId(), BulkJob.State.COMPLETED);
        assertThat(rerun.progress().matched()).isEqualTo(2);
        assertThat(rerun.progress().done()).isZero();
        assertThat(jobs.list()).extracting(BulkJob::jobId).contains("purge-1", "purge-2");
    }

    @Test
    void raiseEvent_suspendAndResume_reachEveryMatchingInstance() {
        startJobWorker();
        List<String> ids = start("WaitForGo", "e-", 5);
        ids.forEach(id -> await().atMost(WAIT).until(() -> client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() == RuntimeStatus.RUNNING));

        BulkJob suspend = awaitJob(jobs.start(BulkJobRequest.builder(BulkOperation.SUSPEND).instanceIdPrefix("e-").build()).jobId(), BulkJob.State.COMPLETED);
        assertThat(suspend.progress().done()).isEqualTo(5);
        ids.forEach(id -> await().atMost(WAIT).until(() -> client.getInstanceMetadata(id, false).orElseThrow().runtimeStatus() == RuntimeStatus.SUSPENDED));
        BulkJob resume = awaitJob(jobs.start(BulkJobRequest.builder(BulkOperation.RESUME).instanceIdPrefix("e-").build()).jobId(), BulkJob.State.COMPLETED);
        assertThat(resume.progress().done()).isEqualTo(5);
        BulkJob raise = awaitJob(jobs.start(BulkJobRequest.builder(BulkOperation.RAISE_EVENT).instanceIdPrefix("e-")
                .event("Go", "\"from the job\"").build()).jobId(), BulkJob.State.COMPLETED);
        assertThat(raise.progress().done()).isEqualTo(5);
        for (String id : ids) {
            assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("from the job");
        }
    }

    @Test
    void aJob_pausedAndLeftByItsWorker_goesOnWithAnotherWorker_andHandlesEachInstanceOnce() {
        TaskHubWorker first = startJobWorker();
        List<String> ids = start("WaitForGo", "m-", 20);
        String jobId = jobs.start(BulkJobRequest.builder(BulkOperation.RAISE_EVENT).instanceIdPrefix("m-").event("Go", "\"go\"")
                .pageSize(4).maxPerSecond(8).build()).jobId();
        await().atMost(WAIT).until(() -> jobs.get(jobId).orElseThrow().progress().matched() >= 4);
        jobs.pause(jobId);
        await().atMost(WAIT).until(() -> jobs.get(jobId).orElseThrow().state() == BulkJob.State.PAUSED);
        first.close();
        long atPause = jobs.get(jobId).orElseThrow().progress().matched();
        assertThat(atPause).isLessThan(20);

        startJobWorker();
        jobs.resume(jobId);
        BulkJob job = awaitJob(jobId, BulkJob.State.COMPLETED);

        assertThat(job.progress().matched()).isEqualTo(20);
        assertThat(job.progress().done()).isEqualTo(20);
        ids.forEach(id -> assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("go"));
    }

    @Test
    void cancel_stopsAJobBeforeItsNextStep_andAFinishedJobCannotBeCanceled() {
        startJobWorker();
        start("WaitForGo", "c-", 12);
        String jobId = jobs.start(BulkJobRequest.builder(BulkOperation.TERMINATE).instanceIdPrefix("c-").pageSize(2)
                .maxPerSecond(2).build()).jobId();
        await().atMost(WAIT).until(() -> jobs.get(jobId).orElseThrow().progress().matched() >= 2);
        BulkJob canceled = jobs.cancel(jobId);
        awaitJob(jobId, BulkJob.State.CANCELED);
        assertThat(jobs.get(jobId).orElseThrow().progress().matched()).isLessThan(12);
        assertThat(jobs.get(jobId).orElseThrow().message()).contains("canceled");
        assertThat(canceled.jobId()).isEqualTo(jobId);
        assertThatThrownBy(() -> jobs.cancel(jobId)).isInstanceOf(InvalidInstanceStateException.class);
    }

    @Test
    void spi_sendsManyMessagesAtOnce_aRepeatIsAppliedOnce_andPurgesByIdOnlyFinishedInstances() {
        startJobWorker();
        List<String> finished = start("Echo", "x-done-", 3);
        finished.forEach(id -> awaitStatus(id, RuntimeStatus.COMPLETED));
        List<String> waiting = start("WaitForGo", "x-wait-", 2);

        List<String> asked = new ArrayList<>(finished);
        asked.addAll(List.of(waiting.get(0), "x-unknown"));
        assertThat(provider.purgeInstancesById(asked)).containsExactlyInAnyOrderElementsOf(finished);
        finished.forEach(id -> assertThat(client.getInstanceMetadata(id, false)).as(id).isEmpty());
        assertThat(client.getInstanceMetadata(waiting.get(0), false)).isPresent();

        List<TaskMessage> events = new ArrayList<>();
        for (String id : waiting) {
            String messageId = Ids.derived("conformance", id);
            events.add(new TaskMessage(messageId, id, null,
                    new HistoryEvent.EventRaised(-1, Instant.now(), "Go", "\"batch\"", messageId), null));
        }
        provider.sendOrchestrationMessages(events);
        provider.sendOrchestrationMessages(events); // a page sent again, as after a crash
        for (String id : waiting) {
            assertThat(awaitStatus(id, RuntimeStatus.COMPLETED).readOutputAs(String.class)).isEqualTo("batch");
            assertThat(client.getHistory(id).stream().filter(HistoryEvent.EventRaised.class::isInstance)).as(id).hasSize(1);
        }
    }

    @Test
    void badRequests_areRefusedClearly() {
        assertThatThrownBy(() -> BulkOperation.parse("explode")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("terminate, suspend, resume, rewind, restart, raise-event, purge");
        assertThat(BulkOperation.parse("raiseEvent")).isEqualTo(BulkOperation.RAISE_EVENT);
        assertThatThrownBy(() -> BulkJobRequest.builder(BulkOperation.RAISE_EVENT).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("event's name");
        assertThatThrownBy(() -> BulkJobRequest.builder(BulkOperation.PURGE).pageSize(1001).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("1 to 1000");
        assertThatThrownBy(() -> BulkJobRequest.builder(BulkOperation.PURGE).maxPerSecond(-1).build()).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> BulkJobRequest.builder(BulkOperation.PURGE).jobId("a/b").build()).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> jobs.cancel("no-such-job")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("no-such-job");
        assertThat(jobs.get("no-such-job")).isEmpty();
    }
}

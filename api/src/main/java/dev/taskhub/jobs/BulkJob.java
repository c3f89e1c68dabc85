package dev.taskhub.jobs;

import java.time.Instant;

/**
 * A bulk job as stored in the hub: its request, its state and its progress.
 *
 * @param jobId         the job's id
 * @param request       what the job was started with
 * @param state         where it stands
 * @param progress      counts so far
 * @param createdAt     when it was started
 * @param lastUpdatedAt when it last recorded progress
 * @param message       why it failed or was canceled, or null
 */
public record BulkJob(String jobId, BulkJobRequest request, State state, BulkJobProgress progress, Instant createdAt,
                      Instant lastUpdatedAt, String message) {

    /** Where a job stands. */
    public enum State {
        /** Started; no worker has picked it up yet. */
        PENDING,
        RUNNING,
        /** Paused ({@link BulkJobs#pause}); continues where it stopped when resumed. */
        PAUSED,
        /** Every matching instance was handled. */
        COMPLETED,
        CANCELED,
        /** The job itself failed (not an instance it handled); see the message. */
        FAILED;

        public boolean isFinished() {
            return this == COMPLETED || this == CANCELED || this == FAILED;
        }
    }
}

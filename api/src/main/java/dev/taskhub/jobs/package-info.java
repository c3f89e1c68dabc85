/**
 * Bulk jobs: one management operation (terminate, suspend, resume, rewind, restart, raise an event, purge) applied to
 * every instance that matches a filter, run as a durable job by the hub's workers. Start, follow and cancel them with
 * {@link dev.taskhub.jobs.BulkJobs}. Zone: user-facing API.
 */
package dev.taskhub.jobs;

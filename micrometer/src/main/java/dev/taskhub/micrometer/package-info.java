/**
 * Taskhub metrics through Micrometer: {@link dev.taskhub.micrometer.TaskHubMetrics} (an observer of workers) and
 * {@link dev.taskhub.micrometer.InstanceStatusGauges} (instances by status). Meter names are listed in
 * docs/observability.md.
 */
package dev.taskhub.micrometer;

/**
 * Enforcement of retention policies: {@link dev.taskhub.retention.RetentionEnforcer} runs one bounded pass of a task
 * hub's policies ({@link dev.taskhub.query.RetentionPolicy}) and reports what it purged
 * ({@link dev.taskhub.query.RetentionReport}); every worker runs one every interval, and
 * {@link dev.taskhub.client.TaskHubClient#applyRetentionPolicies()} runs one on demand. Zone: user-facing API. See
 * docs/operations.md, "Retention".
 */
package dev.taskhub.retention;

/**
 * Retention policies: how long finished instances are kept, per runtime status and optionally per orchestration name
 * ({@link dev.taskhub.retention.RetentionPolicy}), stored in the task hub and enforced by every worker in bounded
 * passes ({@link dev.taskhub.retention.RetentionEnforcer}, {@link dev.taskhub.retention.RetentionReport}). Zone:
 * user-facing API. See docs/operations.md, "Retention".
 */
package dev.taskhub.retention;

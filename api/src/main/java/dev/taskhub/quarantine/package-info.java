/**
 * Replay of quarantined poison messages: {@link dev.taskhub.quarantine.QuarantineReplayer} puts the messages of a
 * {@link dev.taskhub.query.QuarantineRecord} back to work; {@link dev.taskhub.client.TaskHubClient#replayQuarantineRecord}
 * calls it. Zone: user-facing API. See docs/operations.md, "Poison messages".
 */
package dev.taskhub.quarantine;

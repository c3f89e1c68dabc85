package dev.taskhub.query;

/**
 * What replaying a {@link QuarantineRecord} did (see docs/operations.md, "Poison messages"). Immutable.
 *
 * @param recordId     the record, now deleted
 * @param instanceId   its instance
 * @param kind         its kind
 * @param rewound      whether the failed instance was rewound
 * @param messagesSent how many quarantined messages were sent again under their original ids (0 for an activity
 *                     record: the rewind runs the activity again)
 */
public record QuarantineReplay(String recordId, String instanceId, QuarantineRecord.Kind kind, boolean rewound, int messagesSent) {}

package dev.taskhub;

/** No quarantine record with the given id exists in the task hub (it was replayed, discarded or purged, or never was). */
public final class QuarantineRecordNotFoundException extends TaskhubException {
    private final String recordId;

    public QuarantineRecordNotFoundException(String recordId) {
        super("No quarantine record with id '" + recordId + "' exists in this task hub (replayed, discarded or purged "
                + "already?). List the records with 'taskhub quarantine list'.");
        this.recordId = recordId;
    }

    public String recordId() {
        return recordId;
    }
}

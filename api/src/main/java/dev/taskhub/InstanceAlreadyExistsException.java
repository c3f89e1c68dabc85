package dev.taskhub;

/** Starting an instance failed because an instance with that id exists and the id-reuse policy forbids replacing it. */
public final class InstanceAlreadyExistsException extends TaskhubException {
    private final String instanceId;
    private final RuntimeStatus existingStatus;

    public InstanceAlreadyExistsException(String instanceId, RuntimeStatus existingStatus) {
        super("An orchestration instance with id '" + instanceId + "' already exists and is " + existingStatus
                + ". Use another id, wait for it to finish, terminate it, or start with an id-reuse policy that allows replacing it.");
        this.instanceId = instanceId;
        this.existingStatus = existingStatus;
    }

    public String instanceId() {
        return instanceId;
    }

    public RuntimeStatus existingStatus() {
        return existingStatus;
    }
}

package dev.taskhub;

/** The operation is not allowed for the instance in its current runtime status (e.g. rewinding an instance that did not fail). */
public final class InvalidInstanceStateException extends TaskhubException {
    private final String instanceId;
    private final RuntimeStatus status;

    public InvalidInstanceStateException(String instanceId, RuntimeStatus status, String message) {
        super(message);
        this.instanceId = instanceId;
        this.status = status;
    }

    public String instanceId() {
        return instanceId;
    }

    public RuntimeStatus status() {
        return status;
    }
}

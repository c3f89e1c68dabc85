package dev.taskhub;

/** No orchestration instance with the given id exists in the task hub. */
public final class InstanceNotFoundException extends TaskhubException {
    private final String instanceId;

    public InstanceNotFoundException(String instanceId) {
        super("No orchestration instance with id '" + instanceId + "' exists in this task hub. "
                + "Check the id, and that you are connected to the right task hub.");
        this.instanceId = instanceId;
    }

    public String instanceId() {
        return instanceId;
    }
}

package dev.taskhub.client;

import dev.taskhub.InvalidRequestException;

import java.time.Instant;

/**
 * Options for {@link TaskHubClient#scheduleNewOrchestrationInstance(String, Object, NewOrchestrationOptions)}.
 *
 * @param instanceId    the id to use; null for a random 32-hex id
 * @param startAt       do not start before this time; null to start at once
 * @param version       orchestrator version, may be null
 * @param idReusePolicy what to do when the id is taken; default {@link IdReusePolicy#REPLACE_IF_FINISHED}
 */
public record NewOrchestrationOptions(String instanceId, Instant startAt, String version, IdReusePolicy idReusePolicy) {
    public static final int MAX_INSTANCE_ID_LENGTH = 256;

    public NewOrchestrationOptions {
        if (instanceId != null) {
            validateInstanceId(instanceId);
        }
        idReusePolicy = idReusePolicy == null ? IdReusePolicy.REPLACE_IF_FINISHED : idReusePolicy;
    }

    public static NewOrchestrationOptions defaults() {
        return new NewOrchestrationOptions(null, null, null, null);
    }

    public static NewOrchestrationOptions withInstanceId(String instanceId) {
        return new NewOrchestrationOptions(instanceId, null, null, null);
    }

    public NewOrchestrationOptions withStartAt(Instant value) {
        return new NewOrchestrationOptions(instanceId, value, version, idReusePolicy);
    }

    public NewOrchestrationOptions withVersion(String value) {
        return new NewOrchestrationOptions(instanceId, startAt, value, idReusePolicy);
    }

    public NewOrchestrationOptions withIdReusePolicy(IdReusePolicy value) {
        return new NewOrchestrationOptions(instanceId, startAt, version, value);
    }

    /** Instance ids are 1..256 characters without control characters, '/', '\\', '#' or '?' (they appear in URLs). */
    public static void validateInstanceId(String instanceId) {
        if (instanceId.isEmpty() || instanceId.length() > MAX_INSTANCE_ID_LENGTH) {
            throw new InvalidRequestException("An instance id must be 1 to " + MAX_INSTANCE_ID_LENGTH + " characters long.");
        }
        for (char c : instanceId.toCharArray()) {
            if (Character.isISOControl(c) || c == '/' || c == '\\' || c == '#' || c == '?') {
                throw new InvalidRequestException("The instance id '" + instanceId
                        + "' contains a character that is not allowed (control characters, '/', '\\', '#', '?').");
            }
        }
    }
}

package dev.taskhub.client;

import dev.taskhub.history.TraceContext;
import dev.taskhub.InvalidRequestException;

import java.time.Instant;

/**
 * Options for {@link TaskHubClient#scheduleNewOrchestrationInstance(String, Object, NewOrchestrationOptions)}.
 * Immutable; build with {@link #builder()} (or the shortcuts {@link #defaults()} and {@link #withInstanceId(String)}).
 *
 * @param instanceId    the id to use; null for a random 32-hex id
 * @param startAt       do not start before this time; null to start at once
 * @param version       orchestrator version, may be null
 * @param idReusePolicy what to do when the id is taken; default {@link IdReusePolicy#REPLACE_IF_FINISHED}
 * @param traceContext  the W3C trace context the start belongs to (for example the {@code traceparent} of the HTTP request
 *                      that asked for it); null for the caller's current context when the client traces, else none. See
 *                      docs/observability.md
 */
public record NewOrchestrationOptions(String instanceId, Instant startAt, String version, IdReusePolicy idReusePolicy,
                                      TraceContext traceContext) {
    public static final int MAX_INSTANCE_ID_LENGTH = 256;

    public NewOrchestrationOptions {
        if (instanceId != null) {
            validateInstanceId(instanceId);
        }
        idReusePolicy = idReusePolicy == null ? IdReusePolicy.REPLACE_IF_FINISHED : idReusePolicy;
    }

    /** Options without a trace context (kept for callers written before trace contexts existed). */
    public NewOrchestrationOptions(String instanceId, Instant startAt, String version, IdReusePolicy idReusePolicy) {
        this(instanceId, startAt, version, idReusePolicy, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        return new Builder().instanceId(instanceId).startAt(startAt).version(version).idReusePolicy(idReusePolicy)
                .traceContext(traceContext);
    }

    public static NewOrchestrationOptions defaults() {
        return builder().build();
    }

    public static NewOrchestrationOptions withInstanceId(String instanceId) {
        return builder().instanceId(instanceId).build();
    }

    public NewOrchestrationOptions withStartAt(Instant value) {
        return toBuilder().startAt(value).build();
    }

    public NewOrchestrationOptions withVersion(String value) {
        return toBuilder().version(value).build();
    }

    public NewOrchestrationOptions withIdReusePolicy(IdReusePolicy value) {
        return toBuilder().idReusePolicy(value).build();
    }

    /** Builder for {@link NewOrchestrationOptions}; {@link #build()} validates. Every option is optional. */
    public static final class Builder {
        private String instanceId;
        private Instant startAt;
        private String version;
        private IdReusePolicy idReusePolicy = IdReusePolicy.REPLACE_IF_FINISHED;
        private TraceContext traceContext;

        private Builder() {
        }

        /** The id to use; null (the default) for a random 32-hex id. */
        public Builder instanceId(String value) { this.instanceId = value; return this; }

        /** Do not start before this time; null (the default) to start at once. */
        public Builder startAt(Instant value) { this.startAt = value; return this; }

        /** Orchestrator version, may be null. */
        public Builder version(String value) { this.version = value; return this; }

        /** What to do when the id is taken; null means {@link IdReusePolicy#REPLACE_IF_FINISHED}. */
        public Builder idReusePolicy(IdReusePolicy value) { this.idReusePolicy = value; return this; }

        /**
         * The W3C trace context the start belongs to, e.g. {@code TraceContext.parse(traceparentHeader, tracestateHeader)};
         * null (the default) for the caller's current context when the client traces.
         */
        public Builder traceContext(TraceContext value) { this.traceContext = value; return this; }

        /** The options; throws {@link InvalidRequestException} when the instance id is not allowed. */
        public NewOrchestrationOptions build() {
            return new NewOrchestrationOptions(instanceId, startAt, version, idReusePolicy, traceContext);
        }
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

package dev.taskhub.conformance.generated;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.List;

/**
 * One step of a generated orchestration program. Programs are data (a tree of these records, serialised with Jackson)
 * interpreted by {@link ProgramOrchestrator} on a worker and by {@link Model} in plain Java. Every step has an id that
 * is unique in its program; activity keys, event names and sub-orchestration ids are derived from it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Step.Activity.class, name = "activity"),
        @JsonSubTypes.Type(value = Step.Timer.class, name = "timer"),
        @JsonSubTypes.Type(value = Step.WaitEvent.class, name = "wait"),
        @JsonSubTypes.Type(value = Step.SubOrchestration.class, name = "sub"),
        @JsonSubTypes.Type(value = Step.AllOf.class, name = "allOf"),
        @JsonSubTypes.Type(value = Step.AnyOf.class, name = "anyOf"),
        @JsonSubTypes.Type(value = Step.TryCatch.class, name = "try"),
        @JsonSubTypes.Type(value = Step.SetStatus.class, name = "status"),
        @JsonSubTypes.Type(value = Step.SendEvent.class, name = "send"),
        @JsonSubTypes.Type(value = Step.ContinueAsNew.class, name = "continueAsNew")})
public sealed interface Step {
    int id();

    /**
     * Calls the generic activity, which fails its first {@code failFirst} attempts; value {@code "a<id>"}.
     *
     * @param retryAttempts 0 for no retry policy, else the policy's maximum number of attempts
     */
    record Activity(int id, int failFirst, int retryAttempts) implements Step {}

    /** A durable timer of {@code millis} real milliseconds; value {@code "t<id>"}. */
    record Timer(int id, int millis) implements Step {}

    /**
     * Waits for the external event {@code e<id>g<generation>}; value: the event data, or {@code "timeout"} when
     * {@code timeoutMillis} (nullable) passes first. What the outside world does about it is the {@code plan}.
     */
    record WaitEvent(int id, Integer timeoutMillis, EventPlan plan, boolean duplicate) implements Step {}

    /** Runs a nested program as a sub-orchestration with instance id {@code <parent>-s<id>g<generation>}. */
    record SubOrchestration(int id, List<Step> steps) implements Step {}

    /** Runs primitive branches in parallel; value: the list of their values; fails when a branch fails. */
    record AllOf(int id, List<Step> branches) implements Step {}

    /** Runs primitive, non-failing branches in parallel and continues when the first finishes; value {@code "any"}. */
    record AnyOf(int id, List<Step> branches) implements Step {}

    /**
     * Runs {@code body}; value: the list of its values. On a failure, calls the compensation activity
     * {@code c<id>} and then rethrows, or continues with the value {@code "caught"}.
     */
    record TryCatch(int id, List<Step> body, boolean rethrow) implements Step {}

    /** Sets the custom status to {@code status}; value {@code "s<id>"}. */
    record SetStatus(int id, String status) implements Step {}

    /** Sends event {@code sib} to the run's sibling instance; value {@code "sent"}. Top level only. */
    record SendEvent(int id) implements Step {}

    /** Continues as new (carrying the values so far) until {@code generations} more executions ran. Last top-level step only. */
    record ContinueAsNew(int id, int generations) implements Step {}

    /** What the outside world does about a wait. */
    enum EventPlan {
        /** Nobody raises the event: a timeout fires, or the instance waits forever (and is terminated). */
        NONE,
        /** Raised right after the instance is scheduled, before the orchestrator waits (buffered). Top level only. */
        BEFORE,
        /** Raised at some point once the instance exists (while or before it waits; never with a timeout). */
        WHILE
    }
}

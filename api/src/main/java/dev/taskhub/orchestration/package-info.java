/**
 * The orchestration programming model: {@link dev.taskhub.orchestration.Orchestrator},
 * {@link dev.taskhub.orchestration.OrchestrationContext}, {@link dev.taskhub.orchestration.Task}, retry policies.
 * Zone: user-facing API.
 */
package dev.taskhub.orchestration;

/**
 * Taskhub traces through the OpenTelemetry API: {@link dev.taskhub.opentelemetry.TaskHubTracing}, an observer of
 * workers and clients that emits durabletask's spans. Span names and attributes are listed in docs/observability.md.
 */
package dev.taskhub.opentelemetry;

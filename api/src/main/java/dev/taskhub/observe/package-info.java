/**
 * Observation SPI: the points where the worker and the client tell an observer what happened (instances started and
 * finished, episodes, activities, backlog age, capacity, history cache), for metrics and traces. Zone: user-facing
 * API. Implementations live in their own modules ({@code taskhub-micrometer}, {@code taskhub-opentelemetry}) so that
 * {@code taskhub-api} depends on no metrics or tracing library; the default, {@link dev.taskhub.observe.TaskHubObserver#NONE},
 * costs nothing.
 */
package dev.taskhub.observe;

/**
 * Spring Boot auto-configuration of Taskhub: a storage provider chosen by {@code taskhub.*} properties (or the
 * application's PostgreSQL {@code DataSource}), a {@link dev.taskhub.client.TaskHubClient}, a
 * {@link dev.taskhub.worker.TaskHubWorker} that runs the application's orchestrator and activity beans and stops
 * gracefully with the context, customizer beans, the optional HTTP management API, and Actuator health and info.
 * Zone: user-facing API (the customizer interfaces, the annotations and {@link dev.taskhub.spring.boot.TaskhubProperties});
 * the rest is package-private. See {@code docs/spring-boot.md}.
 */
package dev.taskhub.spring.boot;

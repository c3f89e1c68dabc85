/**
 * A Spring Boot application that processes orders with a Taskhub orchestration: the orchestrator and its activities
 * are beans, a REST endpoint starts instances, Actuator shows the task hub's health. See {@code docs/spring-boot.md}.
 */
package dev.taskhub.samples.springboot;

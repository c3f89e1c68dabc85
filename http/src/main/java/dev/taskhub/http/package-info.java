/**
 * The HTTP management API: Durable Functions' instance-management routes served with Javalin
 * ({@link dev.taskhub.http.ManagementServer}), and the JSON wire format they share with the {@code taskhub} command
 * line ({@link dev.taskhub.http.WireFormat}). Zone: user-facing API.
 */
package dev.taskhub.http;

/**
 * The HTTP management API: Durable Functions' instance-management routes served with Javalin
 * ({@link dev.taskhub.http.ManagementServer}). The routes it serves and the JSON it writes are defined once, in
 * {@link dev.taskhub.client.http.ManagementRoute} and {@link dev.taskhub.client.http.WireFormat} of
 * {@code taskhub-api}, which the client and the command line use too. Zone: user-facing API.
 */
package dev.taskhub.http;

/**
 * The contract of the HTTP management API, shared by its server ({@code taskhub-http}), the client (the management
 * payload's URLs) and the {@code taskhub} command line (its {@code --url} mode): the route table
 * {@link dev.taskhub.client.http.ManagementRoute} and the JSON wire format {@link dev.taskhub.client.http.WireFormat},
 * in both directions. No HTTP server or client code lives here. Zone: user-facing API.
 */
package dev.taskhub.client.http;

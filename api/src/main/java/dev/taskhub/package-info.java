/**
 * Public API: the exception hierarchy and the values shared by the client, the worker and the SPI.
 * Zone: user-facing API, covered by compatibility promises.
 */
package dev.taskhub;

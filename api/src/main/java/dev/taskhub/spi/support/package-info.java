/**
 * Helpers a storage provider may use: secret masking for connection strings and error messages
 * ({@link dev.taskhub.spi.support.Secrets}), ids ({@link dev.taskhub.spi.support.Ids}), microsecond times
 * ({@link dev.taskhub.spi.support.Times}), the polling back-off ({@link dev.taskhub.spi.support.Backoff}) and checks
 * of settings with user-facing messages ({@link dev.taskhub.spi.support.Args}). Zone: extensibility
 * (for provider authors); the core uses them too.
 */
package dev.taskhub.spi.support;

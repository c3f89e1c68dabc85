/**
 * Helpers a storage provider may use: secret masking for connection strings and error messages
 * ({@link dev.taskhub.spi.support.Secrets}), ids ({@link dev.taskhub.spi.support.Ids}) and microsecond times
 * ({@link dev.taskhub.spi.support.Times}). Zone: extensibility
 * (for provider authors); the core uses them too.
 */
package dev.taskhub.spi.support;

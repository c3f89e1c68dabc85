/**
 * Helpers a storage provider may use: secret masking for connection strings and error messages. Zone: extensibility
 * (for provider authors); the core uses them too.
 */
package dev.taskhub.spi.support;

/**
 * Payload conversion and the stored form of history: {@link dev.taskhub.convert.DataConverter} with its JSON default
 * {@link dev.taskhub.convert.JsonDataConverter}, {@link dev.taskhub.convert.RawJson} for payloads that are already JSON,
 * and {@link dev.taskhub.convert.HistoryCodec}, which providers use to store history events. Zone: user-facing API.
 */
package dev.taskhub.convert;

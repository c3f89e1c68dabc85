/**
 * The history event model: a sealed interface of records, serialised with Jackson.
 * Zone: user-facing API (read by clients, written by the engine, stored by providers).
 */
package dev.taskhub.history;

/** The replay engine, the worker's dispatchers and helpers. Zone: internal, no compatibility promise. */
package dev.taskhub.internal;

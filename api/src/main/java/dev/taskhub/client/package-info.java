/**
 * The management client: start, query, page, terminate, raise events, wait, rewind, suspend, resume, restart,
 * purge, and task hub lifecycle. Zone: user-facing API.
 */
package dev.taskhub.client;

/**
 * Instance queries and purge criteria: {@link dev.taskhub.query.InstanceQuery} and
 * {@link dev.taskhub.query.PurgeCriteria}, used by the client and passed unchanged to the storage SPI. Zone:
 * user-facing API.
 */
package dev.taskhub.query;

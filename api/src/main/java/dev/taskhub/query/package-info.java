/**
 * Instance queries, counts, purge criteria and retention policies: {@link dev.taskhub.query.InstanceQuery},
 * {@link dev.taskhub.query.InstanceCounts}, {@link dev.taskhub.query.PurgeCriteria},
 * {@link dev.taskhub.query.RetentionPolicy} (with its ages, {@link dev.taskhub.query.Ages}) and what a retention pass
 * purged ({@link dev.taskhub.query.RetentionReport}), used by the client and passed unchanged to the storage SPI. Zone:
 * user-facing API.
 */
package dev.taskhub.query;

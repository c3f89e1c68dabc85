/**
 * The PostgreSQL storage provider ({@code taskhub-provider-postgres}). Zone: provider implementation; the only public
 * types are {@link dev.taskhub.provider.postgres.PostgresStorageProviderFactory} (found by {@link java.util.ServiceLoader})
 * and {@link dev.taskhub.provider.postgres.PostgresStorageProvider}. See {@code docs/postgres.md}.
 */
package dev.taskhub.provider.postgres;

/**
 * The Azure Storage provider (Tables, Queues and Blobs), laid out per task hub as Durable Functions does.
 * Zone: provider implementation; only {@link dev.taskhub.provider.azurestorage.AzureStorageProviderFactory} and
 * {@link dev.taskhub.provider.azurestorage.AzureStorageProvider} are public.
 */
package dev.taskhub.provider.azurestorage;

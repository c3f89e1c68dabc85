package dev.taskhub.provider.azurestorage;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

/**
 * Creates {@link AzureStorageProvider}s. Name {@code azure-storage}; accepts {@code UseDevelopmentStorage=true}
 * (Azurite) and account-key connection strings ({@code DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…}).
 * Settings are read from {@code taskhub.azure.*} (see {@code docs/azure-storage.md}). Stateless and thread-safe.
 */
public final class AzureStorageProviderFactory implements StorageProviderFactory {
    /** The factory name used in configuration. */
    public static final String NAME = "azure-storage";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean accepts(String connectionString) {
        return AzureConnection.looksLikeAzure(connectionString);
    }

    /** Validates the connection string, hub name and settings and builds the clients; no request is made yet. */
    @Override
    public StorageProvider create(ProviderConfig config) {
        return new AzureStorageProvider(config);
    }
}

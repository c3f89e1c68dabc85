package dev.taskhub.provider.azurestorage;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

import java.util.List;

/**
 * Creates {@link AzureStorageProvider}s. Name {@code azure-storage}; accepts {@code UseDevelopmentStorage=true}
 * (Azurite) and account-key connection strings ({@code DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…}).
 * Settings are read from {@code taskhub.azure-storage.*} (the earlier {@code taskhub.azure.*} keys still work, with a
 * deprecation warning; see {@code docs/azure-storage.md}). Stateless and thread-safe.
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

    @Override
    public List<String> exampleConnectionStrings() {
        return List.of("UseDevelopmentStorage=true",
                "DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>;EndpointSuffix=core.windows.net");
    }

    /** Hides {@code AccountKey}, {@code SharedAccessSignature} and SAS {@code sig} values. */
    @Override
    public String maskSecrets(String text) {
        return AzureConnection.mask(text);
    }

    /** {@code taskhub.azure-storage.} */
    @Override
    public String settingsPrefix() {
        return AzureSettings.PREFIX;
    }

    /** Validates the connection string, hub name and settings and builds the clients; no request is made yet. */
    @Override
    public StorageProvider create(ProviderConfig config) {
        return new AzureStorageProvider(config);
    }
}

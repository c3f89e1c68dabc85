package dev.taskhub.config;

import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds storage provider factories with {@link ServiceLoader} and picks one by explicit name or by the single
 * factory that accepts the connection string. An empty connection string selects {@code inmemory}.
 */
public final class StorageProviders {
    private StorageProviders() {}

    /** All factories on the class path, loaded lazily. */
    public static List<StorageProviderFactory> available() {
        return ServiceLoader.load(StorageProviderFactory.class, StorageProviders.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .collect(Collectors.toList());
    }

    /**
     * The factory named {@code providerName} when given, else the one that accepts the connection string.
     * Fails with the list of available providers when none or several match.
     */
    public static StorageProviderFactory select(String providerName, String connectionString) {
        List<StorageProviderFactory> factories = available();
        String names = factories.stream().map(StorageProviderFactory::name).sorted().collect(Collectors.joining(", "));
        if (providerName != null && !providerName.isBlank()) {
            return factories.stream().filter(f -> f.name().equalsIgnoreCase(providerName.trim())).findFirst()
                    .orElseThrow(() -> new ConfigurationException("No storage provider named '" + providerName
                            + "'. Available: " + names + ". Add the provider's jar to the class path or fix the name."));
        }
        String cs = connectionString == null ? "" : connectionString.trim();
        List<StorageProviderFactory> accepting = factories.stream()
                .filter(f -> cs.isEmpty() ? f.name().equals("inmemory") : f.accepts(cs))
                .collect(Collectors.toList());
        if (accepting.size() == 1) {
            return accepting.get(0);
        }
        if (accepting.isEmpty()) {
            throw new ConfigurationException("No storage provider accepts the connection string '" + mask(cs)
                    + "'. Use 'inmemory', 'jdbc:postgresql://host/db' or 'postgresql://user@host/db' (PostgreSQL), or "
                    + "'UseDevelopmentStorage=true' / 'DefaultEndpointsProtocol=...' (Azure Storage). Available providers: " + names + ".");
        }
        throw new ConfigurationException("Several storage providers accept the connection string: "
                + accepting.stream().map(StorageProviderFactory::name).collect(Collectors.joining(", "))
                + ". Choose one by name (--provider / taskhub.provider).");
    }

    /** Creates the provider chosen by {@link #select} for the configuration. The caller closes it. */
    public static StorageProvider open(String providerName, ProviderConfig config) {
        return select(providerName, config.connectionString()).create(config);
    }

    /** Creates the provider for a connection string setting and task hub, as the CLI and server do. */
    public static StorageProvider open(TaskHubConfiguration configuration, String providerName, String connectionSetting, String taskHubName) {
        String name = providerName != null && !providerName.isBlank() ? providerName : configuration.get("taskhub.provider").orElse(null);
        return open(name, configuration.providerConfig(connectionSetting, taskHubName));
    }

    /** Hides passwords, account keys and signatures in a connection string for messages and logs. */
    public static String mask(String connectionString) {
        if (connectionString == null) {
            return "";
        }
        return connectionString
                .replaceAll("(?i)(AccountKey|SharedAccessSignature|password|pwd|sig)=([^;&]*)", "$1=***")
                .replaceAll("://([^:/@]+):([^@/]*)@", "://$1:***@");
    }
}

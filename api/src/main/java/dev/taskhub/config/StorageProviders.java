package dev.taskhub.config;

import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;
import dev.taskhub.spi.support.Secrets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds storage provider factories with {@link ServiceLoader} and picks one by explicit name or by the single
 * factory that accepts the connection string. Knows no provider: each factory says what it accepts (an empty connection
 * string included, which the default provider accepts), how it masks secrets and where its settings live.
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
     * The factory named {@code providerName} when given, else the one that accepts the connection string (an empty or
     * null one included). Fails with the list of available providers, and what each accepts, when none or several match.
     */
    public static StorageProviderFactory select(String providerName, String connectionString) {
        return select(available(), providerName, connectionString);
    }

    /** {@link #select(String, String)} among the given factories instead of those on the class path. */
    public static StorageProviderFactory select(List<StorageProviderFactory> factories, String providerName, String connectionString) {
        String names = factories.stream().map(StorageProviderFactory::name).sorted().collect(Collectors.joining(", "));
        if (providerName != null && !providerName.isBlank()) {
            return factories.stream().filter(f -> f.name().equalsIgnoreCase(providerName.trim())).findFirst()
                    .orElseThrow(() -> new ConfigurationException("No storage provider named '" + providerName
                            + "'. Available: " + (names.isEmpty() ? "none" : names)
                            + ". Add the provider's jar to the class path or fix the name."));
        }
        String cs = connectionString == null ? "" : connectionString.trim();
        List<StorageProviderFactory> accepting = factories.stream().filter(f -> f.accepts(cs)).collect(Collectors.toList());
        if (accepting.size() == 1) {
            return accepting.get(0);
        }
        if (accepting.isEmpty()) {
            String what = cs.isEmpty() ? "No connection string is set and no storage provider is a default."
                    : "No storage provider accepts the connection string '" + Secrets.mask(cs) + "'.";
            throw new ConfigurationException(what + " " + (factories.isEmpty()
                    ? "No storage provider is on the class path: add a provider's jar."
                    : "Use one of: " + describe(factories) + "."));
        }
        throw new ConfigurationException("Several storage providers accept the connection string: "
                + accepting.stream().map(StorageProviderFactory::name).collect(Collectors.joining(", "))
                + ". Choose one by name (--provider / taskhub.provider).");
    }

    /** Each factory's name with what it accepts, e.g. {@code mydb ('mydb://<host>/<db>')}. */
    private static String describe(List<StorageProviderFactory> factories) {
        return factories.stream().sorted(Comparator.comparing(StorageProviderFactory::name)).map(f -> {
            List<String> accepted = new ArrayList<>();
            if (f.accepts("")) {
                accepted.add("the default when no connection string is set");
            }
            f.exampleConnectionStrings().forEach(example -> accepted.add("'" + example + "'"));
            return accepted.isEmpty() ? f.name() : f.name() + " (" + String.join(" or ", accepted) + ")";
        }).collect(Collectors.joining(", "));
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

    /**
     * Hides passwords, account keys and signatures in a connection string for messages and logs: as the provider that
     * accepts it masks them ({@link StorageProviderFactory#maskSecrets}), else by the common rules of
     * {@link Secrets#mask(String)}.
     */
    public static String mask(String connectionString) {
        if (connectionString == null) {
            return "";
        }
        String cs = connectionString.trim();
        return available().stream().filter(f -> !cs.isEmpty() && f.accepts(cs)).findFirst()
                .map(f -> f.maskSecrets(connectionString))
                .orElseGet(() -> Secrets.mask(connectionString));
    }
}

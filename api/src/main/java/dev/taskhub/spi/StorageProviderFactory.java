package dev.taskhub.spi;

import dev.taskhub.spi.support.Secrets;

import java.util.List;

/**
 * Creates storage providers of one kind. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.taskhub.spi.StorageProviderFactory}; must have a public no-argument constructor
 * and be cheap to instantiate (no I/O before {@link #create}).
 *
 * <p>A factory describes itself completely, so the core names no provider: its {@link #name()}, which connection
 * strings it {@link #accepts}, examples of them for error messages ({@link #exampleConnectionStrings()}), how it hides
 * their secrets ({@link #maskSecrets}) and the prefix of its settings ({@link #settingsPrefix()}).
 * Implementations are stateless or thread-safe.
 */
public interface StorageProviderFactory {
    /** Short stable name used in configuration, e.g. {@code inmemory}, {@code postgres}, {@code azure-storage}. */
    String name();

    /**
     * Whether this provider recognises the connection string, e.g. {@code jdbc:postgresql://…}. Exactly one factory
     * must accept a given string; selection fails with the list of providers otherwise. The empty string stands for
     * "no connection string configured": only a provider meant as the default accepts it (the in-memory one does).
     */
    boolean accepts(String connectionString);

    /**
     * Creates a provider for the task hub {@link ProviderConfig#taskHubName()}. Must validate the configuration and
     * fail with a {@link dev.taskhub.ConfigurationException} that names the bad setting (never echoing secrets).
     * Need not create the task hub's storage: callers call {@link StorageProvider#createTaskHub()}.
     */
    StorageProvider create(ProviderConfig config);

    /**
     * Connection strings this provider accepts, with placeholders for the parts a user fills in, listed in the error
     * message when no provider accepts a connection string. Empty by default.
     */
    default List<String> exampleConnectionStrings() {
        return List.of();
    }

    /**
     * The text with this provider's secrets (passwords, keys, signatures) replaced by {@code ***}, for messages and
     * logs. Works on connection strings and on any text that may contain one, such as a driver's error message.
     * The default masks the {@linkplain Secrets#COMMON_KEYS common secret keys} and URL passwords; override it to
     * name your store's keys (with {@link Secrets#mask(String, List)}). Null gives {@code ""}.
     */
    default String maskSecrets(String text) {
        return Secrets.mask(text);
    }

    /**
     * The prefix of this provider's settings in {@link ProviderConfig#settings()}, {@code taskhub.properties} and
     * (upper-cased, dots and dashes as underscores) environment variables: {@code "taskhub." + name() + "."} by default.
     */
    default String settingsPrefix() {
        return "taskhub." + name() + ".";
    }
}

package dev.taskhub.spi;

/**
 * Creates storage providers of one kind. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/dev.taskhub.spi.StorageProviderFactory}; must have a public no-argument constructor
 * and be cheap to instantiate (no I/O before {@link #create}).
 */
public interface StorageProviderFactory {
    /** Short stable name used in configuration, e.g. {@code inmemory}, {@code postgres}, {@code azure-storage}. */
    String name();

    /**
     * Whether this provider recognises the connection string, e.g. {@code jdbc:postgresql://…}. Exactly one factory
     * must accept a given string; selection fails with the list of providers otherwise.
     */
    boolean accepts(String connectionString);

    /**
     * Creates a provider for the task hub {@link ProviderConfig#taskHubName()}. Must validate the configuration and
     * fail with a {@link dev.taskhub.ConfigurationException} that names the bad setting (never echoing secrets).
     * Need not create the task hub's storage: callers call {@link StorageProvider#createTaskHub()}.
     */
    StorageProvider create(ProviderConfig config);
}

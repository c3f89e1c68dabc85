package dev.taskhub.provider.inmemory;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Factory of the in-memory provider ({@code inmemory}), selected by an empty connection string (it is the default) or
 * {@code inmemory}. Its connection strings hold no secrets and it has no settings.
 * Task hubs live as long as the JVM: providers created for the same hub name in one JVM share its state, as clients
 * and workers sharing a database would.
 */
public final class InMemoryStorageProviderFactory implements StorageProviderFactory {
    private static final Map<String, InMemoryHub> HUBS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public boolean accepts(String connectionString) {
        String cs = connectionString == null ? "" : connectionString.trim().toLowerCase(Locale.ROOT);
        return cs.isEmpty() || cs.equals("inmemory") || cs.equals("in-memory");
    }

    @Override
    public List<String> exampleConnectionStrings() {
        return List.of("inmemory");
    }

    /** Nothing to hide: the in-memory provider's connection strings carry no credentials. */
    @Override
    public String maskSecrets(String text) {
        return text == null ? "" : text;
    }

    @Override
    public StorageProvider create(ProviderConfig config) {
        InMemoryHub hub = HUBS.computeIfAbsent(config.taskHubName().toLowerCase(Locale.ROOT), k -> InMemoryHub.create(Clock.systemUTC()));
        return new InMemoryStorageProvider(config.taskHubName(), hub);
    }
}

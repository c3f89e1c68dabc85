package dev.taskhub.provider.azurestorage;

import dev.taskhub.spi.ProviderConfig;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Finds an Azure Storage endpoint for tests: {@code TASKHUB_AZURE_STORAGE_CONNECTION_STRING} (when its endpoints
 * answer), else Azurite on the default local ports 10000-10002, else an Azurite container when Docker runs; otherwise
 * the test is skipped with a loud message (one log line on stderr, and the build's closing summary) — or fails when
 * {@code TASKHUB_REQUIRE_ALL_PROVIDERS=true}.
 */
final class AzuriteFixture {
    private static final Logger LOG = LoggerFactory.getLogger(AzuriteFixture.class);
    private static volatile String connectionString;
    private static volatile String unavailable;
    private static boolean announced;

    private AzuriteFixture() {}

    static synchronized String connectionString() {
        if (connectionString == null && unavailable == null) {
            discover();
        }
        if (connectionString == null) {
            String message = "Azure Storage tests need Azurite or an account: " + unavailable + ". Start Azurite (see "
                    + "docs/azure-storage.md) or set TASKHUB_AZURE_STORAGE_CONNECTION_STRING.";
            if ("true".equalsIgnoreCase(System.getenv("TASKHUB_REQUIRE_ALL_PROVIDERS"))) {
                Assertions.fail(message + " (TASKHUB_REQUIRE_ALL_PROVIDERS=true)");
            }
            if (!announced) { // once per test JVM; the build's closing summary repeats it
                LOG.warn("SKIPPING: {}", message);
                announced = true;
            }
            Assumptions.abort(message);
        }
        return connectionString;
    }

    private static void discover() {
        String env = System.getenv("TASKHUB_AZURE_STORAGE_CONNECTION_STRING");
        if (env != null && !env.isBlank()) {
            // an account named but not answering is a missing backend too, named in the skip message
            List<String> silent = new ArrayList<>();
            try {
                AzureConnection c = AzureConnection.parse(env.trim());
                for (String endpoint : List.of(c.blobEndpoint(), c.queueEndpoint(), c.tableEndpoint())) {
                    URI u = URI.create(endpoint);
                    int port = u.getPort() > 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
                    if (!listening(u.getHost(), port)) {
                        silent.add(u.getHost() + ":" + port);
                    }
                }
            } catch (RuntimeException e) {
                unavailable = "TASKHUB_AZURE_STORAGE_CONNECTION_STRING is not usable (" + e.getMessage() + ")";
                return;
            }
            if (silent.isEmpty()) {
                connectionString = env.trim();
            } else {
                unavailable = "TASKHUB_AZURE_STORAGE_CONNECTION_STRING names endpoints where nothing answers: " + String.join(", ", silent);
            }
            return;
        }
        if (listening("127.0.0.1", 10000) && listening("127.0.0.1", 10001) && listening("127.0.0.1", 10002)) {
            connectionString = "UseDevelopmentStorage=true";
            return;
        }
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            docker = false;
        }
        if (docker) {
            @SuppressWarnings("resource")
            GenericContainer<?> azurite = new GenericContainer<>("mcr.microsoft.com/azure-storage/azurite:3.35.0")
                    .withCommand("azurite --blobHost 0.0.0.0 --queueHost 0.0.0.0 --tableHost 0.0.0.0 --skipApiVersionCheck --loose")
                    .withExposedPorts(10000, 10001, 10002);
            azurite.start();
            String host = "http://" + azurite.getHost();
            connectionString = "DefaultEndpointsProtocol=http;AccountName=" + AzureConnection.DEV_ACCOUNT + ";AccountKey=" + AzureConnection.DEV_KEY
                    + ";BlobEndpoint=" + host + ":" + azurite.getMappedPort(10000) + "/" + AzureConnection.DEV_ACCOUNT
                    + ";QueueEndpoint=" + host + ":" + azurite.getMappedPort(10001) + "/" + AzureConnection.DEV_ACCOUNT
                    + ";TableEndpoint=" + host + ":" + azurite.getMappedPort(10002) + "/" + AzureConnection.DEV_ACCOUNT + ";";
            return;
        }
        unavailable = "no TASKHUB_AZURE_STORAGE_CONNECTION_STRING, nothing listens on 127.0.0.1:10000-10002 and Docker is not running";
    }

    static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A fresh hub name for a test class, e.g. {@code AzLock1a2b3c4d}. */
    static String hubName(String stem) {
        return stem + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    /** Short leases and polls so the module's tests stay fast. */
    static Map<String, String> fastSettings() {
        Map<String, String> s = new HashMap<>();
        s.put("taskhub.azure-storage.partitionLeaseDuration", "PT15S");
        s.put("taskhub.azure-storage.partitionRenewInterval", "PT1S");
        s.put("taskhub.azure-storage.pollMinInterval", "PT0.02S");
        s.put("taskhub.azure-storage.pollMaxInterval", "PT0.2S");
        s.put("taskhub.azure-storage.partitionIdleRelease", "PT5S");
        return s;
    }

    static AzureStorageProvider provider(String hub) {
        return provider(connectionString(), hub, fastSettings());
    }

    static AzureStorageProvider provider(String connection, String hub, Map<String, String> settings) {
        return (AzureStorageProvider) new AzureStorageProviderFactory().create(new ProviderConfig(connection, hub, settings));
    }
}

package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;

import java.util.Map;

/**
 * A worker process for {@link PostgresScaleOutTest}: {@code <url> <hub> <logTable>}. Runs the chain workload until its
 * standard input closes (the test closes it, or the test JVM dies).
 */
public final class ScaleOutWorkerMain {
    private ScaleOutWorkerMain() {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String hub = args[1];
        String table = args[2];
        try (StorageProvider provider = new PostgresStorageProviderFactory().create(new ProviderConfig(url, hub,
                Map.of(PostgresSettings.POOL_SIZE, "4", PostgresSettings.APPLICATION_NAME, "taskhub-scaleout")));
             TaskHubWorker worker = ChainWorkload.worker(provider, url, table, 2, java.time.Duration.ofSeconds(20))) {
            worker.start();
            System.out.println("READY");
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for EOF
            }
        }
        System.exit(0);
    }
}

package dev.taskhub.provider.postgres;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;

import java.time.Duration;
import java.util.Map;

/**
 * A worker process for {@link PostgresCrashTakeoverTest}: {@code <url> <hub>}. Locks one orchestration work item and
 * one activity work item for five minutes, prints {@code LOCKED <instance> <activity message>}, then waits to be killed.
 */
public final class LockHolderMain {
    private LockHolderMain() {}

    public static void main(String[] args) throws Exception {
        StorageProvider provider = new PostgresStorageProviderFactory().create(new ProviderConfig(args[0], args[1],
                Map.of(PostgresSettings.POOL_SIZE, "2", PostgresSettings.APPLICATION_NAME, "taskhub-lock-holder")));
        Duration lease = Duration.ofMinutes(5);
        var instance = provider.lockOrchestrationWorkItems(1, lease, Duration.ofSeconds(10));
        var activity = provider.lockActivityWorkItems(1, lease, Duration.ofSeconds(10));
        if (instance.isEmpty() || activity.isEmpty()) {
            System.out.println("NOTHING " + instance.size() + " " + activity.size());
            System.exit(1);
        }
        System.out.println("LOCKED " + instance.get(0).instanceId() + " " + activity.get(0).request().messageId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}

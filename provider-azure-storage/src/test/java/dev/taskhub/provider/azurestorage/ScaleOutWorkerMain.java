package dev.taskhub.provider.azurestorage;

import dev.taskhub.worker.TaskHubWorker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * A worker process for {@link ScaleOutTest}: {@code <connection string> <hub> <activity log file>}. Prints
 * {@code OWNED <partitions>} whenever its partitions change, appends each activity input to the log file, and shuts
 * down cleanly when its standard input closes.
 */
public final class ScaleOutWorkerMain {
    private ScaleOutWorkerMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Path log = Path.of(args[2]);
        AzureStorageProvider provider = AzuriteFixture.provider(args[0], args[1], AzuriteFixture.fastSettings());
        TaskHubWorker worker = TestOrchestrations.worker(provider, input -> {
            try {
                synchronized (ScaleOutWorkerMain.class) {
                    Files.writeString(log, input + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).start();
        Thread watcher = new Thread(() -> {
            Set<Integer> last = null;
            while (!Thread.currentThread().isInterrupted()) {
                Set<Integer> now = provider.ownedPartitions();
                if (!now.equals(last)) {
                    out.println("OWNED " + now);
                    last = now;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // wait for the parent to close our input
            }
        }
        worker.close();
        provider.close();
        out.println("STOPPED requests=" + provider.totalRequests());
    }
}

package dev.taskhub.benchmarks;

import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.transfer.ExportSummary;
import dev.taskhub.transfer.ImportSummary;
import dev.taskhub.transfer.InstanceTransfer;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Export and import between two hubs of the same provider: N finished instances (3 history events each, loaded as
 * {@code mgmt} loads them) exported to a JSON Lines file, then imported into an empty second hub. Measures both, the
 * file size, and checks that the second hub holds N instances afterwards.
 */
final class TransferBench {
    private final Args args;
    private final String provider;

    TransferBench(Args args, String provider) {
        this.args = args;
        this.provider = provider;
    }

    Result run() throws Exception {
        int n = args.getInt("n", provider.equals("azure-storage") ? 1_000 : 100_000);
        Result r = new Result("transfer", "taskhub/" + provider);
        String from = TaskhubBench.hubName("transferfrom");
        String to = TaskhubBench.hubName("transferto");
        r.set("n", n).set("from", from).set("to", to);
        Path file = Files.createTempFile("taskhub-transfer", ".jsonl");
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        try (StorageProvider source = Backends.open(provider, from, args); StorageProvider target = Backends.open(provider, to, args)) {
            long t = System.nanoTime();
            if (provider.equals("postgres")) {
                new ManagementBench(args, provider).copyLoad(source, from, n, 0, base, 86_400_000_000L * 30 / n);
            } else {
                ManagementBench.spiLoad(source, n, base, 86_400_000_000L * 30 / n, provider.equals("inmemory") ? 1 : 4);
            }
            r.metric("load_s", Stats.round((System.nanoTime() - t) / 1e9));

            t = System.nanoTime();
            ExportSummary exported;
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                exported = new InstanceTransfer(source).exportInstances(InstanceQuery.builder().build(), out);
            }
            double exportS = (System.nanoTime() - t) / 1e9;
            t = System.nanoTime();
            ImportSummary imported;
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                imported = new InstanceTransfer(target).importInstances(in, IdReusePolicy.REPLACE_IF_FINISHED);
            }
            double importS = (System.nanoTime() - t) / 1e9;
            long there = target.countInstances(InstanceQuery.builder().build()).total();
            r.metric("export_s", Stats.round(exportS)).metric("import_s", Stats.round(importS))
                    .metric("export_import_s", Stats.round(exportS + importS))
                    .metric("exported", exported.exported()).metric("imported", imported.imported())
                    .metric("skipped", imported.skipped()).metric("failed", imported.failed())
                    .metric("file_mb", Stats.round1(Files.size(file) / 1048576.0)).metric("instances_in_target", there);
            if (exported.exported() != n || imported.imported() != n || there != n) {
                r.status = "failed";
                r.note("expected " + n + " exported, imported and in the target; got " + exported.exported() + ", "
                        + imported.imported() + ", " + there + (imported.problems().isEmpty() ? "" : "; first problem: " + imported.problems().get(0)));
            }
            if (!args.flag("keep")) {
                source.deleteTaskHub();
                target.deleteTaskHub();
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return r;
    }
}

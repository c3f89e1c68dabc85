package dev.taskhub.provider.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.spi.ContinuationTokens;
import dev.taskhub.spi.support.QuarantineRecords;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hub's quarantine records as blobs in its leases container (so deleting the hub deletes them; the partition
 * manager ignores blobs that are not its own): {@code quarantine/<escaped instance id>/<record id>.json}, holding the
 * record's JSON, with the kind and the time in the blob's metadata. Purging an instance deletes its folder; a listing
 * reads the names and metadata of the records (one listing request per 5,000) and downloads only the page's records.
 * Thread-safe.
 */
final class QuarantineBlobs {
    static final String FOLDER = "quarantine/";
    private static final String KIND = "kind";
    private static final String AT = "quarantinedns";

    private final BlobContainerClient container;

    QuarantineBlobs(BlobContainerClient leases) {
        this.container = leases;
    }

    /** A record as the listing shows it. */
    private record Entry(String name, String id, String kind, Instant at) {}

    private static final Comparator<Entry> ORDER = Comparator.comparing(Entry::at).thenComparing(Entry::id);

    void put(QuarantineRecord record) {
        AzureErrors.run("storing a quarantine record", () -> container.getBlobClient(name(record.instanceId(), record.id()))
                .uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromString(QuarantineRecords.encode(record)))
                        .setMetadata(Map.of(KIND, record.kind().name(), AT, Long.toString(nanos(record.quarantinedAt())))), null, null));
    }

    QuarantinePage list(QuarantineQuery query) {
        ContinuationTokens.Position after = query.continuationToken() == null ? null
                : ContinuationTokens.decode(query.continuationToken());
        List<Entry> entries = new ArrayList<>();
        for (Entry e : entries(query.instanceId() == null ? FOLDER : FOLDER + Keys.blobFolder(query.instanceId()))) {
            boolean kindMatches = query.kind() == null || query.kind().name().equals(e.kind());
            boolean afterToken = after == null || e.at().isAfter(after.createdAt())
                    || (e.at().equals(after.createdAt()) && e.id().compareTo(after.instanceId()) > 0);
            if (kindMatches && afterToken) {
                entries.add(e);
            }
        }
        entries.sort(ORDER);
        List<QuarantineRecord> records = new ArrayList<>();
        for (Entry e : entries.subList(0, Math.min(entries.size(), query.pageSize()))) {
            download(e.name()).ifPresent(records::add);
        }
        if (entries.size() <= query.pageSize()) {
            return new QuarantinePage(records, null);
        }
        Entry last = entries.get(query.pageSize() - 1);
        return new QuarantinePage(records, ContinuationTokens.encode(last.at(), last.id()));
    }

    Optional<QuarantineRecord> get(String id) {
        return find(id).flatMap(e -> download(e.name()));
    }

    boolean delete(String id) {
        return find(id).map(e -> AzureErrors.call("deleting a quarantine record", () -> container.getBlobClient(e.name()).deleteIfExists()))
                .orElse(false);
    }

    /** Deletes every record of the instance (its purge). */
    void deleteInstance(String instanceId) {
        for (Entry e : entries(FOLDER + Keys.blobFolder(instanceId))) {
            AzureErrors.run("deleting a quarantine record", () -> container.getBlobClient(e.name()).deleteIfExists());
        }
    }

    /** The record with this id: a listing of every record's name (ids are unique within the hub). */
    private Optional<Entry> find(String id) {
        String suffix = "/" + id + ".json";
        return entries(FOLDER).stream().filter(e -> e.name().endsWith(suffix)).findFirst();
    }

    private List<Entry> entries(String prefix) {
        return AzureErrors.call("listing quarantine records", () -> {
            List<Entry> out = new ArrayList<>();
            ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix).setDetails(new BlobListDetails().setRetrieveMetadata(true));
            for (BlobItem item : container.listBlobs(options, null)) {
                Map<String, String> metadata = item.getMetadata() == null ? Map.of() : item.getMetadata();
                String name = item.getName();
                String at = metadata.get(AT);
                if (at == null || !name.endsWith(".json")) {
                    continue;   // not a record (or one being written)
                }
                String id = name.substring(name.lastIndexOf('/') + 1, name.length() - ".json".length());
                long ns = Long.parseLong(at);
                out.add(new Entry(name, id, metadata.get(KIND), Instant.ofEpochSecond(Math.floorDiv(ns, 1_000_000_000L),
                        Math.floorMod(ns, 1_000_000_000L))));
            }
            return out;
        });
    }

    private Optional<QuarantineRecord> download(String name) {
        return AzureErrors.call("reading a quarantine record", () -> {
            try {
                return Optional.of(QuarantineRecords.decode(container.getBlobClient(name).downloadContent().toString()));
            } catch (RuntimeException e) {
                if (AzureErrors.status(e) == 404) {
                    return Optional.<QuarantineRecord>empty();   // discarded meanwhile
                }
                throw e;
            }
        });
    }

    private static String name(String instanceId, String id) {
        return FOLDER + Keys.blobFolder(instanceId) + id + ".json";
    }

    private static long nanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }
}

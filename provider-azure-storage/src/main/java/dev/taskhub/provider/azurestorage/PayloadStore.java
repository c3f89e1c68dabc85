package dev.taskhub.provider.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.taskhub.StorageException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Stores payloads too large for a queue message or table property in the hub's large-message container, under the
 * folder of the instance, so that purging an instance can delete them by prefix. Writers always use new, unique names
 * (never overwriting a blob someone may refer to) and delete a blob only when nothing refers to it any more.
 */
final class PayloadStore {
    /** Longest text kept inline in a table property (64 KiB as UTF-16, with margin). */
    static final int MAX_PROPERTY_CHARS = 30_000;
    /** Longest UTF-8 envelope sent inline on a queue (64 KiB after base64, with margin). */
    static final int MAX_QUEUE_BYTES = 45_000;

    private final BlobContainerClient container;

    PayloadStore(BlobContainerClient container) {
        this.container = container;
    }

    void upload(String name, String text) {
        AzureErrors.run("storing a large payload", () -> container.getBlobClient(name)
                .upload(BinaryData.fromBytes(text.getBytes(StandardCharsets.UTF_8)), true));
    }

    /**
     * The payload stored under {@code name}.
     *
     * @throws MissingPayloadException when the blob is gone: the row that named it was read before a newer checkpoint
     *                                 replaced it (and deleted the blob it no longer needs), or the instance was purged
     */
    String download(String name) {
        try {
            return new String(container.getBlobClient(name).downloadContent().toBytes(), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                throw new MissingPayloadException(name, e);
            }
            throw AzureErrors.wrap("reading a large payload", e);
        }
    }

    /** A payload blob that no longer exists; reading the row that names it again gives its current payloads. */
    static final class MissingPayloadException extends StorageException {
        MissingPayloadException(String name, Throwable cause) {
            super("The large payload '" + name + "' no longer exists: the instance changed or was purged while it was read. "
                    + "Read the instance again.", cause);
        }
    }

    void deleteQuietly(String name) {
        try {
            container.getBlobClient(name).deleteIfExists();
        } catch (RuntimeException ignored) {
            // best effort: purge removes the instance's folder anyway
        }
    }

    /** Deletes every blob of the instance. */
    void deleteInstance(String instanceId) {
        AzureErrors.run("deleting large payloads", () -> {
            for (String name : list(instanceId)) {
                container.getBlobClient(name).deleteIfExists();
            }
        });
    }

    List<String> list(String instanceId) {
        return AzureErrors.call("listing large payloads", () -> container.listBlobs(new ListBlobsOptions().setPrefix(Keys.blobFolder(instanceId)), null)
                .stream().map(BlobItem::getName).collect(Collectors.toList()));
    }
}

package dev.taskhub.provider.azurestorage;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.StorageException;
import dev.taskhub.query.RetentionPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The hub's retention policies as one small JSON blob, {@value #NAME}, in the hub's leases container (so deleting the
 * hub deletes it; the partition manager ignores blobs that are not its own). Each change reads the blob and writes it
 * back on the ETag it read (or only if it does not exist yet), and starts over when another writer came in between, so
 * concurrent changes of different policies never undo one another. Thread-safe.
 */
final class RetentionPolicyBlob {
    static final String NAME = "retention-policies.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 20;

    private final BlobClient blob;

    RetentionPolicyBlob(BlobContainerClient leases) {
        this.blob = leases.getBlobClient(NAME);
    }

    /** The policies and the ETag they were read at (null when the blob does not exist). */
    private record Read(List<RetentionPolicy> policies, String etag) {}

    List<RetentionPolicy> list() {
        List<RetentionPolicy> all = new ArrayList<>(AzureErrors.call("reading the retention policies", this::read).policies());
        all.sort(RetentionPolicy.ORDER);
        return all;
    }

    void put(RetentionPolicy policy) {
        change("storing a retention policy", policies -> {
            policies.removeIf(policy::sameScope);
            policies.add(policy);
            return policies;
        });
    }

    boolean remove(RuntimeStatus status, String orchestrationName) {
        boolean[] removed = {false};
        change("removing a retention policy", policies -> {
            removed[0] = policies.removeIf(p -> p.status() == status && Objects.equals(p.orchestrationName(), orchestrationName));
            return removed[0] ? policies : null;
        });
        return removed[0];
    }

    /** Applies the edit (null: nothing to write) on the blob's current content, conditionally, until it sticks. */
    private void change(String what, UnaryOperator<List<RetentionPolicy>> edit) {
        AzureErrors.run(what, () -> {
            for (int attempt = 1; ; attempt++) {
                Read current = read();
                List<RetentionPolicy> edited = edit.apply(new ArrayList<>(current.policies()));
                if (edited == null) {
                    return;
                }
                BlobRequestConditions condition = current.etag() == null
                        ? new BlobRequestConditions().setIfNoneMatch("*") : new BlobRequestConditions().setIfMatch(current.etag());
                try {
                    blob.uploadWithResponse(new BlobParallelUploadOptions(BinaryData.fromString(encode(edited)))
                            .setRequestConditions(condition), null, null);
                    return;
                } catch (RuntimeException e) {
                    if (!AzureErrors.isConflictOrPrecondition(e) || attempt >= MAX_ATTEMPTS) {
                        throw e;
                    }
                    // another process changed the policies meanwhile: apply the edit to its version
                }
            }
        });
    }

    private Read read() {
        BlobDownloadContentResponse response;
        try {
            response = blob.downloadContentWithResponse(null, null, null, null);
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return new Read(List.of(), null);
            }
            throw e;
        }
        return new Read(decode(response.getValue().toString()), response.getDeserializedHeaders().getETag());
    }

    private static String encode(List<RetentionPolicy> policies) {
        ArrayNode array = JSON.createArrayNode();
        for (RetentionPolicy p : policies) {
            array.addObject().put("status", p.status().name()).put("name", p.orchestrationName())
                    .put("olderThanMs", p.olderThan().toMillis());
        }
        return array.toString();
    }

    private static List<RetentionPolicy> decode(String text) {
        try {
            List<RetentionPolicy> policies = new ArrayList<>();
            for (JsonNode n : JSON.readTree(text)) {
                JsonNode name = n.path("name");
                policies.add(new RetentionPolicy(RuntimeStatus.valueOf(n.path("status").asText()),
                        name.isTextual() ? name.asText() : null, Duration.ofMillis(n.path("olderThanMs").asLong())));
            }
            return policies;
        } catch (JsonProcessingException | RuntimeException e) {
            throw new StorageException("The retention policies blob '" + NAME + "' of the hub's leases container is not "
                    + "readable (" + e.getMessage() + "). Delete the blob and set the policies again.", e);
        }
    }
}

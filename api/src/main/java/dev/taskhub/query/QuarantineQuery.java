package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;

/**
 * Filters and paging for listing quarantine records, oldest first. Immutable; build with {@link #builder()}.
 *
 * @param instanceId        only records of this instance, or null for every instance
 * @param kind              only records of this kind, or null for both
 * @param pageSize          the most records per page (1..1000, default 100)
 * @param continuationToken the previous page's token, or null for the first page
 */
public record QuarantineQuery(String instanceId, QuarantineRecord.Kind kind, int pageSize, String continuationToken) {
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_PAGE_SIZE = 1000;

    public QuarantineQuery {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("The page size must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize + ".");
        }
        if (instanceId != null && instanceId.isEmpty()) {
            instanceId = null;
        }
        if (continuationToken != null && continuationToken.isBlank()) {
            continuationToken = null;
        }
    }

    /** Whether a record matches the filters (for stores that filter in memory). */
    public boolean matches(QuarantineRecord record) {
        return (instanceId == null || instanceId.equals(record.instanceId())) && (kind == null || kind == record.kind());
    }

    /** The same query positioned at the given page. */
    public QuarantineQuery withContinuationToken(String token) {
        return new QuarantineQuery(instanceId, kind, pageSize, token);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link QuarantineQuery}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private String instanceId;
        private QuarantineRecord.Kind kind;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private String continuationToken;

        private Builder() {}

        public Builder instanceId(String value) {
            this.instanceId = value;
            return this;
        }

        public Builder kind(QuarantineRecord.Kind value) {
            this.kind = value;
            return this;
        }

        public Builder pageSize(int value) {
            this.pageSize = value;
            return this;
        }

        public Builder continuationToken(String value) {
            this.continuationToken = value;
            return this;
        }

        public QuarantineQuery build() {
            return new QuarantineQuery(instanceId, kind, pageSize, continuationToken);
        }
    }
}

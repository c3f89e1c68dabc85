package dev.taskhub.query;

import java.util.List;
import java.util.Optional;

/**
 * One page of quarantine records, oldest first (by the time they were written, then id). Immutable.
 *
 * @param records           the records of this page
 * @param continuationToken the next page's token, or null on the last page
 */
public record QuarantinePage(List<QuarantineRecord> records, String continuationToken) {
    public QuarantinePage {
        records = List.copyOf(records);
    }

    /** The next page's token, if there is a next page. */
    public Optional<String> nextToken() {
        return Optional.ofNullable(continuationToken);
    }
}

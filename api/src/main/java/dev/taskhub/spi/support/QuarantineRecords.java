package dev.taskhub.spi.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.StorageException;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.spi.ContinuationTokens;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * What providers share for {@link dev.taskhub.spi.QuarantineStore}: the stored form of a record (one JSON text, the
 * same for every provider; the history events inside are in {@link dev.taskhub.convert.HistoryCodec}'s format), the
 * order of a listing, and paging over records held in memory. Stateless and thread-safe.
 */
public final class QuarantineRecords {
    /** The listing order: by the time a record was written, then by id. */
    public static final Comparator<QuarantineRecord> ORDER = Comparator.comparing(QuarantineRecord::quarantinedAt)
            .thenComparing(QuarantineRecord::id);

    private static final ObjectMapper MAPPER = JsonDataConverter.DEFAULT.mapper();

    private QuarantineRecords() {}

    /** The JSON of the whole record. */
    public static String encode(QuarantineRecord record) {
        try {
            return MAPPER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("Cannot serialise quarantine record '" + record.id() + "': " + e.getOriginalMessage(), e);
        }
    }

    /** The record stored as {@code json}; a {@link StorageException} if the text is not a stored record. */
    public static QuarantineRecord decode(String json) {
        try {
            return MAPPER.readValue(json, QuarantineRecord.class);
        } catch (JsonProcessingException e) {
            throw new StorageException("A stored quarantine record cannot be read (" + e.getOriginalMessage()
                    + "). It was probably written by an incompatible Taskhub version.", e);
        }
    }

    /**
     * The page of {@code all} (any order, any filters) that {@code query} asks for: the matching records in
     * {@link #ORDER}, after the token's position, at most the page size; the token of the next page when more follow.
     * For stores that hold or list every record anyway (linear in their number).
     */
    public static QuarantinePage page(Collection<QuarantineRecord> all, QuarantineQuery query) {
        ContinuationTokens.Position after = query.continuationToken() == null ? null
                : ContinuationTokens.decode(query.continuationToken());
        List<QuarantineRecord> matching = new ArrayList<>();
        for (QuarantineRecord r : all) {
            if (query.matches(r) && (after == null || isAfter(r, after))) {
                matching.add(r);
            }
        }
        matching.sort(ORDER);
        return pageOf(matching, query.pageSize());
    }

    /**
     * The page of records read in {@link #ORDER} after the previous page's position, at most {@code pageSize + 1} of
     * them (read one more than the page to know whether another page follows): the first {@code pageSize}, with the
     * next page's token when there were more.
     */
    public static QuarantinePage pageOf(List<QuarantineRecord> ordered, int pageSize) {
        if (ordered.size() <= pageSize) {
            return new QuarantinePage(ordered, null);
        }
        List<QuarantineRecord> records = ordered.subList(0, pageSize);
        QuarantineRecord last = records.get(records.size() - 1);
        return new QuarantinePage(records, ContinuationTokens.encode(last.quarantinedAt(), last.id()));
    }

    private static boolean isAfter(QuarantineRecord r, ContinuationTokens.Position p) {
        int byTime = r.quarantinedAt().compareTo(p.createdAt());
        return byTime > 0 || (byTime == 0 && r.id().compareTo(p.instanceId()) > 0);
    }
}

package dev.taskhub.spi;

import dev.taskhub.InvalidRequestException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.CRC32;

/**
 * Encodes and decodes the keyset position (createdAt, instanceId) of a query page as an opaque token. Providers that
 * page by (createdAt, instanceId) use this so tokens behave the same everywhere.
 *
 * <p>What a token guarantees: it carries a position only, never a filter or a task hub. The query runs with the
 * request's own filters in the provider's own task hub and starts after that position, so any token (one from
 * another hub or another filter, or one forged by hand) can at worst skip or repeat positions of that same query; it
 * never reveals an instance of another hub or one outside the filter. The token carries a CRC-32 checksum, which
 * detects accidental corruption (truncation, a changed character) so that such a token is refused with a clear
 * {@link InvalidRequestException} instead of silently starting elsewhere. The checksum is not a signature: tokens
 * are not tamper-proof, and nothing relies on them being so.
 *
 * <p>A provider may encode its own tokens as long as it keeps these properties: position only, and a malformed token
 * refused with {@link InvalidRequestException} (the conformance suite checks both).
 */
public final class ContinuationTokens {
    private ContinuationTokens() {}

    /** A decoded position: the last (createdAt, instanceId) of the previous page. */
    public record Position(Instant createdAt, String instanceId) {}

    public static String encode(Instant createdAt, String instanceId) {
        return encodeRaw(createdAt.getEpochSecond() + "." + createdAt.getNano() + "|" + instanceId);
    }

    public static Position decode(String token) {
        String raw = decodeRaw(token);
        int bar = raw.indexOf('|');
        int dot = raw.indexOf('.');
        try {
            if (bar < 0 || dot < 0 || dot > bar) {
                throw new IllegalArgumentException();
            }
            Instant createdAt = Instant.ofEpochSecond(Long.parseLong(raw.substring(0, dot)), Long.parseLong(raw.substring(dot + 1, bar)));
            return new Position(createdAt, raw.substring(bar + 1));
        } catch (RuntimeException e) {
            throw invalid();
        }
    }

    /**
     * Wraps any provider-specific text (e.g. a store's own continuation) into an opaque token with a checksum against
     * corruption. The text must be a position only (the query's filters and hub are never taken from a token).
     */
    public static String encodeRaw(String raw) {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        String body = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return body + "." + Long.toHexString(crc.getValue() ^ 0x5A5A5A5AL);
    }

    /** The inverse of {@link #encodeRaw}; throws {@link InvalidRequestException} for a malformed or corrupted token. */
    public static String decodeRaw(String token) {
        int dot = token.lastIndexOf('.');
        if (dot <= 0) {
            throw invalid();
        }
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(token.substring(0, dot));
            CRC32 crc = new CRC32();
            crc.update(bytes);
            if (!Long.toHexString(crc.getValue() ^ 0x5A5A5A5AL).equals(token.substring(dot + 1))) {
                throw invalid();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    private static InvalidRequestException invalid() {
        return new InvalidRequestException("The continuation token is not valid. Pass the token exactly as the previous "
                + "page returned it, or omit it to start from the first page.");
    }
}

package dev.taskhub.spi.support;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Hides secrets in connection strings and in any text that may contain one (driver error messages, URLs), for
 * messages and logs. Two rules: the value of every {@code key=value} pair whose key is one of the given secret keys
 * (case-insensitive, the value running to the next {@code ;} or {@code &}), and the password of a URL's user info
 * ({@code scheme://user:password@host}). Stateless and thread-safe.
 *
 * <p>A provider states its own secret keys through
 * {@link dev.taskhub.spi.StorageProviderFactory#maskSecrets(String)}, usually as
 * {@code Secrets.mask(connectionString, List.of("password"))}.
 */
public final class Secrets {
    /** What a hidden value is replaced by. */
    public static final String MASK = "***";

    /** Keys that hold a secret in the connection strings of common stores (JDBC, libpq, Azure Storage, SAS tokens). */
    public static final List<String> COMMON_KEYS = List.of("AccountKey", "SharedAccessSignature", "password", "pwd",
            "sslpassword", "sig");

    private static final Pattern URL_PASSWORD = Pattern.compile("://([^:/@]*):([^@/]*)@");

    private Secrets() {}

    /** Masks the {@link #COMMON_KEYS} and URL passwords; for text whose provider is unknown. Null gives {@code ""}. */
    public static String mask(String text) {
        return mask(text, COMMON_KEYS);
    }

    /** Masks the values of the given keys and URL passwords. Null gives {@code ""}. */
    public static String mask(String text, List<String> secretKeys) {
        Objects.requireNonNull(secretKeys, "secretKeys");
        if (text == null) {
            return "";
        }
        String masked = text;
        if (!secretKeys.isEmpty()) {
            String keys = secretKeys.stream().map(Pattern::quote).collect(Collectors.joining("|"));
            masked = Pattern.compile("(?i)(" + keys + ")=([^;&]*)").matcher(masked).replaceAll("$1=" + MASK);
        }
        return URL_PASSWORD.matcher(masked).replaceAll("://$1:" + MASK + "@");
    }
}

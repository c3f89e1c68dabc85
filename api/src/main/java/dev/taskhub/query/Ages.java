package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the age of a {@link RetentionPolicy}: a short form for people ({@code 7d}, {@code 12h},
 * {@code 30m}, {@code 45s}, {@code 500ms}) and ISO 8601 for the wire ({@code P7D}, {@code PT12H}). Stateless.
 */
public final class Ages {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d|w)");

    private Ages() {}

    /**
     * Parses {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s}, {@code 500ms}, {@code 2w} or an ISO 8601 duration
     * ({@code P7D}, {@code PT12H}). Throws {@link InvalidRequestException} naming {@code what} when the text is neither
     * or the age is not positive.
     */
    public static Duration parse(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException(what + " is required: how long finished instances are kept, e.g. 7d, 12h, 30m or P7D.");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration age;
        Matcher m = SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            age = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        } else {
            try {
                age = Duration.parse(text.trim());
            } catch (DateTimeParseException e) {
                throw new InvalidRequestException(what + ": '" + text + "' is not an age. Use a number and a unit (7d, 12h, "
                        + "30m, 45s, 500ms, 2w) or ISO 8601 (P7D, PT12H).");
            }
        }
        return requirePositive(age, what);
    }

    /** The longest age a policy may have. */
    public static final Duration MAX = Duration.ofDays(36_500);

    /**
     * The age itself, or {@link InvalidRequestException} naming {@code what} when it is null, zero, negative or longer
     * than {@link #MAX} (100 years).
     */
    public static Duration requirePositive(Duration age, String what) {
        if (age == null || age.isZero() || age.isNegative()) {
            throw new InvalidRequestException(what + " must be a positive age, e.g. 7d, 12h or P7D; got "
                    + (age == null ? "none" : format(age)) + ".");
        }
        if (age.compareTo(MAX) > 0) {
            throw new InvalidRequestException(what + " must be at most 36500d (100 years); got " + format(age)
                    + ". To keep instances for ever, remove the policy.");
        }
        return age;
    }

    /** The shortest exact short form: {@code 7d}, {@code 36h}, {@code 90m}, {@code 45s}, {@code 1500ms}; else ISO 8601. */
    public static String format(Duration age) {
        if (age.isNegative() || age.getNano() % 1_000_000 != 0) {
            return age.toString();
        }
        long ms = age.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (ms != 0 && ms % units[i] == 0) {
                return (ms / units[i]) + names[i];
            }
        }
        return ms + "ms";
    }

    /** ISO 8601, in days when the age is whole days ({@code P7D}), else as {@link Duration#toString()} ({@code PT12H}). */
    public static String iso(Duration age) {
        return !age.isZero() && age.getNano() == 0 && age.getSeconds() % 86_400 == 0 ? "P" + age.toDays() + "D" : age.toString();
    }
}

package dev.taskhub.spi.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids for messages, executions and lock tokens. Random ones are minted several times per episode, so they come from
 * {@link ThreadLocalRandom} rather than {@code UUID.randomUUID()}'s SecureRandom; they need to be unique, not
 * unguessable. Instance ids, which users see and keep, still come from {@code UUID.randomUUID()}.
 *
 * <p>What an episode sends gets a {@link #derived derived} id instead: the same episode run again (after a crash or a
 * refused commit) sends the same ids, so that receivers recognise the repeat.
 */
public final class Ids {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    });

    private Ids() {}

    /** 32 lowercase hex digits. */
    public static String random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        write(random.nextLong(), out, 0);
        write(random.nextLong(), out, 16);
        return new String(out);
    }

    /**
     * 32 lowercase hex digits (the first 128 bits of a SHA-256) determined by the parts: equal parts give equal ids,
     * different parts different ids. Parts are joined with a control character, which instance ids cannot contain.
     */
    public static String derived(Object... parts) {
        StringBuilder text = new StringBuilder(96);
        for (Object part : parts) {
            text.append(part).append('\u001f');
        }
        byte[] hash = SHA256.get().digest(text.toString().getBytes(StandardCharsets.UTF_8));
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (hash[i] & 0xFF);
            low = (low << 8) | (hash[i + 8] & 0xFF);
        }
        char[] out = new char[32];
        write(high, out, 0);
        write(low, out, 16);
        return new String(out);
    }

    private static void write(long value, char[] out, int offset) {
        for (int i = 15; i >= 0; i--) {
            out[offset + i] = Character.forDigit((int) (value & 0xF), 16);
            value >>>= 4;
        }
    }
}

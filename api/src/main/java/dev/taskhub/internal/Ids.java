package dev.taskhub.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random ids for messages, executions and lock tokens. These are minted several times per episode, so they come from
 * {@link ThreadLocalRandom} rather than {@code UUID.randomUUID()}'s SecureRandom; they need to be unique, not
 * unguessable. Instance ids, which users see and keep, still come from {@code UUID.randomUUID()}.
 */
public final class Ids {
    private Ids() {}

    /** 32 lowercase hex digits. */
    public static String random() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        write(random.nextLong(), out, 0);
        write(random.nextLong(), out, 16);
        return new String(out);
    }

    private static void write(long value, char[] out, int offset) {
        for (int i = 15; i >= 0; i--) {
            out[offset + i] = Character.forDigit((int) (value & 0xF), 16);
            value >>>= 4;
        }
    }
}

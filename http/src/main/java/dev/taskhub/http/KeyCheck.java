package dev.taskhub.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Compares a presented key with the system key in constant time (hashing first so the length leaks nothing). */
final class KeyCheck {
    private final byte[] expectedDigest;

    KeyCheck(String systemKey) {
        this.expectedDigest = systemKey == null ? null : digest(systemKey);
    }

    boolean enabled() {
        return expectedDigest != null;
    }

    boolean accepts(String presented) {
        if (expectedDigest == null) {
            return true;
        }
        return presented != null && MessageDigest.isEqual(expectedDigest, digest(presented));
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}

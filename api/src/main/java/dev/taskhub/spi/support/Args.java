package dev.taskhub.spi.support;

import dev.taskhub.ConfigurationException;

import java.time.Duration;

/**
 * Checks of provider settings with the messages users see, e.g. {@code Setting 'taskhub.mydb.poolSize' must be between
 * 1 and 200, got 0.} Each returns the value when it is fine and throws {@link ConfigurationException} naming the
 * setting, the allowed range and the value otherwise.
 */
public final class Args {
    private Args() {}

    /** {@code value} when {@code min <= value <= max}. */
    public static int between(String setting, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigurationException("Setting '" + setting + "' must be between " + min + " and " + max + ", got "
                    + value + ".");
        }
        return value;
    }

    /** {@code value} when it is at least {@code min}. */
    public static int atLeast(String setting, int value, int min) {
        if (value < min) {
            throw new ConfigurationException("Setting '" + setting + "' must be at least " + min + ", got " + value + ".");
        }
        return value;
    }

    /** {@code value} when it is longer than zero. */
    public static Duration positive(String setting, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new ConfigurationException("Setting '" + setting + "' must be positive, got " + value + ".");
        }
        return value;
    }
}

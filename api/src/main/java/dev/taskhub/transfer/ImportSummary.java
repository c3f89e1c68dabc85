package dev.taskhub.transfer;

import java.util.List;
import java.util.Objects;

/**
 * What an import did, one count per line of the file: each line is imported (a new instance), replaced (an existing
 * instance the id reuse policy allowed to replace), skipped (an existing instance that stays, see
 * {@link Problem#reason()}) or failed (the line could not be read or written; nothing of it was written). Immutable.
 *
 * @param imported lines written as new instances
 * @param replaced lines written over an existing instance
 * @param skipped  lines not written because the instance exists and is kept
 * @param failed   lines not written because of an error
 * @param problems the skipped and failed lines with their reason, in file order; at most {@link #MAX_PROBLEMS} (the
 *                 counts are always complete)
 */
public record ImportSummary(long imported, long replaced, long skipped, long failed, List<Problem> problems) {
    /** How many skipped or failed lines {@link #problems()} lists at most. */
    public static final int MAX_PROBLEMS = 1000;

    public ImportSummary {
        problems = List.copyOf(problems);
    }

    /** Whether a line failed (a skipped one is not a failure: the id reuse policy kept an existing instance). */
    public boolean hasFailures() {
        return failed > 0;
    }

    /** Every line read. */
    public long lines() {
        return imported + replaced + skipped + failed;
    }

    /** Whether a line was skipped or failed. */
    public enum Outcome { SKIPPED, FAILED }

    /**
     * A line that was not written.
     *
     * @param line       the line number in the file, from 1
     * @param instanceId the instance id of the line, or null when the line could not be read
     * @param outcome    skipped or failed
     * @param reason     why, in words a person can act on
     */
    public record Problem(long line, String instanceId, Outcome outcome, String reason) {
        public Problem {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(reason, "reason");
        }
    }
}

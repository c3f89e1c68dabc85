package dev.taskhub.jobs;

import java.util.ArrayList;
import java.util.List;

/**
 * How far a bulk job got. {@code matched} instances were found so far; each of them was {@code done}, {@code skipped}
 * (the operation did not apply, e.g. terminating a finished instance) or {@code failed}.
 *
 * @param expected how many instances matched when the job started (-1 before it has counted)
 * @param matched  matching instances handled so far
 * @param done     instances the operation was applied to
 * @param skipped  instances the operation did not apply to
 * @param failed   instances where the operation failed
 * @param issues   the latest skipped and failed instances with the reason (at most {@value #MAX_ISSUES})
 */
public record BulkJobProgress(long expected, long matched, long done, long skipped, long failed, List<Issue> issues) {
    public static final int MAX_ISSUES = 20;
    public static final BulkJobProgress NONE = new BulkJobProgress(-1, 0, 0, 0, 0, List.of());

    public BulkJobProgress {
        issues = issues == null ? List.of() : List.copyOf(issues);
    }

    /** One instance that was skipped or failed, and why. */
    public record Issue(String instanceId, Outcome outcome, String reason) {
    }

    /** What happened to one instance. */
    public enum Outcome { DONE, SKIPPED, FAILED }

    /** This progress plus one step's. */
    public BulkJobProgress plus(BulkJobProgress step) {
        List<Issue> all = new ArrayList<>(issues);
        all.addAll(step.issues);
        if (all.size() > MAX_ISSUES) {
            all = all.subList(all.size() - MAX_ISSUES, all.size());
        }
        return new BulkJobProgress(expected, matched + step.matched, done + step.done, skipped + step.skipped,
                failed + step.failed, all);
    }

    /** This progress with the count taken at the start. */
    public BulkJobProgress withExpected(long value) {
        return new BulkJobProgress(value, matched, done, skipped, failed, issues);
    }
}

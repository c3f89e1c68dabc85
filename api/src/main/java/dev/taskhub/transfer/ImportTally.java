package dev.taskhub.transfer;

import java.util.ArrayList;
import java.util.List;

/** Counts the lines of one import as they are processed; thread-safe (lines are imported in parallel). */
final class ImportTally {
    private long imported;
    private long replaced;
    private long skipped;
    private long failed;
    private final List<ImportSummary.Problem> problems = new ArrayList<>();

    synchronized void written(boolean replacedExisting) {
        if (replacedExisting) {
            replaced++;
        } else {
            imported++;
        }
    }

    synchronized void skipped(long line, String instanceId, String reason) {
        skipped++;
        problem(new ImportSummary.Problem(line, instanceId, ImportSummary.Outcome.SKIPPED, reason));
    }

    synchronized void failed(long line, String instanceId, String reason) {
        failed++;
        problem(new ImportSummary.Problem(line, instanceId, ImportSummary.Outcome.FAILED, reason));
    }

    private void problem(ImportSummary.Problem problem) {
        if (problems.size() < ImportSummary.MAX_PROBLEMS) {
            problems.add(problem);
        }
    }

    synchronized ImportSummary summary() {
        List<ImportSummary.Problem> inOrder = new ArrayList<>(problems);
        inOrder.sort(java.util.Comparator.comparingLong(ImportSummary.Problem::line));
        return new ImportSummary(imported, replaced, skipped, failed, inOrder);
    }
}

package dev.taskhub.cli;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.http.BulkJobWireFormat;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.jobs.BulkJob;
import dev.taskhub.jobs.BulkJobProgress;
import dev.taskhub.jobs.BulkJobRequest;
import dev.taskhub.jobs.BulkOperation;
import dev.taskhub.query.InstanceQuery;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * {@code taskhub jobs}: bulk jobs (a Taskhub extension) — one operation over every instance that matches the filters,
 * run by the hub's workers; start (or dry-run), list, show, pause, resume, cancel; {@code --wait} follows a job with
 * a progress bar on a terminal.
 */
@Command(name = "jobs", description = "Bulk jobs: one operation on every instance that matches the filters, run by the hub's workers (a Taskhub extension).",
        subcommands = {JobCommands.Start.class, JobCommands.ListJobs.class, JobCommands.Show.class, JobCommands.Cancel.class,
                JobCommands.Pause.class, JobCommands.Resume.class})
final class JobCommands implements Runnable {
    /** Exit code of {@code --wait} when the job was canceled or failed, or failed on some instances. */
    static final int JOB_NOT_CLEAN = 1;
    static Duration pollInterval = Duration.ofMillis(500);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: start, list, show, pause, resume or cancel.");
    }

    /** A job command that may follow the job to its end ({@code --wait}) and then exits non-zero if it did not end clean. */
    abstract static class Following extends BaseCommand {
        @Option(names = "--wait", description = "Follow the job until it ends (a progress bar on a terminal); exit 1 if it was "
                + "canceled or failed, or failed on some instances.")
        boolean waitForEnd;

        private int exitCode;

        @Override
        public Integer call() {
            super.call();
            return exitCode;
        }

        /** Prints the job, after following it with {@code --wait}. */
        void report(Hub hub, BulkJob job) {
            if (waitForEnd) {
                job = follow(hub, job);
                exitCode = job.state() == BulkJob.State.COMPLETED && job.progress().failed() == 0 ? 0 : JOB_NOT_CLEAN;
            }
            if (json()) {
                printJson(BulkJobWireFormat.job(job));
            } else {
                describe(out(), job);
            }
        }

        private BulkJob follow(Hub hub, BulkJob job) {
            boolean bar = context.interactive();
            long started = System.nanoTime();
            boolean hinted = false;
            while (!job.state().isFinished()) {
                if (bar) {
                    err().print("\r" + progressBar(job));
                    err().flush();
                }
                if (!hinted && job.state() == BulkJob.State.PENDING && System.nanoTime() - started > Duration.ofSeconds(10).toNanos()) {
                    err().println((bar ? "\n" : "") + "The job has not started yet: bulk jobs run on the task hub's workers (taskhub "
                            + "serve, or your application's TaskHubWorker). Is one running?");
                    err().flush();
                    hinted = true;
                }
                sleep();
                job = hub.job(job.jobId());
            }
            if (bar) {
                err().println("\r" + progressBar(job));
                err().flush();
            }
            return job;
        }
    }

    @Command(name = "start", description = "Starts a bulk job: terminate, suspend, resume, rewind, restart, raise-event or purge "
            + "every instance that matches the filters. --dry-run only counts them.")
    static final class Start extends Following {
        @Parameters(index = "0", paramLabel = "<operation>",
                description = "terminate, suspend, resume, rewind, restart, raise-event or purge.")
        String operation;

        @Mixin
        InstanceFilterOptions filters;

        @Option(names = "--instance-id-prefix", paramLabel = "<prefix>", description = "Only instances whose id starts with this.")
        String prefix;

        @Option(names = "--name", paramLabel = "<orchestrator>", description = "Only instances of this orchestration.")
        String name;

        @Option(names = "--reason", paramLabel = "<text>", description = "Reason recorded by terminate, suspend, resume and rewind.")
        String reason;

        @Option(names = "--event-name", paramLabel = "<name>", description = "The event to raise (raise-event).")
        String eventName;

        @Option(names = "--event-data", paramLabel = "<json>", description = "The event's data as JSON (raise-event).")
        String eventData;

        @Option(names = "--page-size", paramLabel = "<n>", defaultValue = "500",
                description = "Instances per step; progress is recorded after each (1..1000, default: ${DEFAULT-VALUE}).")
        int pageSize;

        @Option(names = "--max-per-second", paramLabel = "<n>", defaultValue = "0",
                description = "At most this many instances per second (default: no limit).")
        double maxPerSecond;

        @Option(names = "--job-id", paramLabel = "<id>", description = "The job's id (default: random). Starting an id that "
                + "exists shows that job and starts nothing.")
        String jobId;

        @Option(names = "--dry-run", description = "Only count the instances the job would handle.")
        boolean dryRun;

        @Override
        void run(Hub hub) {
            InstanceQuery filter = filters.query().build();
            BulkJobRequest request = BulkJobRequest.builder(BulkOperation.parse(operation)).jobId(jobId)
                    .createdFrom(filter.createdFrom()).createdTo(filter.createdTo()).statuses(filter.statuses()).instanceIdPrefix(prefix).name(name).reason(reason)
                    .event(eventName, eventData).pageSize(pageSize).maxPerSecond(maxPerSecond).build();
            if (dryRun) {
                long matched = hub.dryRunJob(request);
                if (json()) {
                    printJson(BulkJobWireFormat.dryRun(matched));
                } else {
                    out().println(matched + " instance(s) match; a " + request.operation().wireName() + " job would handle them. Nothing was changed.");
                }
                return;
            }
            BulkJob job = hub.startJob(request);
            if (!waitForEnd && !json()) {
                out().println("Started bulk job '" + job.jobId() + "'. Follow it with: taskhub jobs show " + job.jobId() + " --wait");
            }
            report(hub, job);
        }
    }

    @Command(name = "list", description = "Lists the bulk jobs, newest first.")
    static final class ListJobs extends BaseCommand {
        @Override
        void run(Hub hub) {
            List<BulkJob> jobs = hub.jobs();
            if (json()) {
                printJson(BulkJobWireFormat.jobs(jobs));
                return;
            }
            if (jobs.isEmpty()) {
                out().println("No bulk jobs.");
                return;
            }
            String format = "%-34s %-12s %-10s %10s %10s %10s %10s  %s%n";
            out().printf(format, "JOB", "OPERATION", "STATE", "MATCHED", "DONE", "SKIPPED", "FAILED", "STARTED");
            for (BulkJob j : jobs) {
                BulkJobProgress p = j.progress();
                out().printf(format, j.jobId(), j.request().operation().wireName(), j.state(), p.matched(), p.done(), p.skipped(),
                        p.failed(), WireFormat.time(j.createdAt()));
            }
        }
    }

    @Command(name = "show", description = "Shows a bulk job with its progress and the latest skipped or failed instances.")
    static final class Show extends Following {
        @Parameters(index = "0", paramLabel = "<jobId>", description = "The job's id.")
        String jobId;

        @Override
        void run(Hub hub) {
            report(hub, hub.job(jobId));
        }
    }

    /** Cancel, pause and resume: change the job, print it. */
    abstract static class Change extends BaseCommand {
        @Parameters(index = "0", paramLabel = "<jobId>", description = "The job's id.")
        String jobId;

        abstract Hub.JobChange change();

        @Override
        void run(Hub hub) {
            BulkJob job = hub.changeJob(jobId, change());
            if (json()) {
                printJson(BulkJobWireFormat.job(job));
            } else {
                out().println("Bulk job '" + jobId + "': " + change().name().toLowerCase(java.util.Locale.ROOT)
                        + " accepted (takes effect before its next step).");
            }
        }
    }

    @Command(name = "cancel", description = "Cancels a bulk job before its next step.")
    static final class Cancel extends Change {
        @Override
        Hub.JobChange change() {
            return Hub.JobChange.CANCEL;
        }
    }

    @Command(name = "pause", description = "Pauses a bulk job after its current step.")
    static final class Pause extends Change {
        @Override
        Hub.JobChange change() {
            return Hub.JobChange.PAUSE;
        }
    }

    @Command(name = "resume", description = "Continues a paused bulk job where it stopped.")
    static final class Resume extends Change {
        @Override
        Hub.JobChange change() {
            return Hub.JobChange.RESUME;
        }
    }

    static void describe(PrintWriter out, BulkJob job) {
        BulkJobProgress p = job.progress();
        out.println("Job:        " + job.jobId());
        out.println("Operation:  " + job.request().operation().wireName());
        out.println("State:      " + job.state() + (job.message() == null ? "" : " (" + job.message() + ")"));
        out.println("Started:    " + WireFormat.time(job.createdAt()));
        out.println("Updated:    " + WireFormat.time(job.lastUpdatedAt()));
        out.println("Matched:    " + p.matched() + (p.expected() >= 0 ? " of " + p.expected() + " counted at the start" : ""));
        out.println("Done:       " + p.done());
        out.println("Skipped:    " + p.skipped());
        out.println("Failed:     " + p.failed());
        if (!p.issues().isEmpty()) {
            out.println("Latest skipped or failed instances:");
            for (BulkJobProgress.Issue issue : p.issues()) {
                out.println("  " + issue.instanceId() + "  " + issue.outcome() + "  " + issue.reason());
            }
        }
    }

    /** {@code [#########...........]  45%  450/1000  done 440  skipped 10  failed 0  Running}. */
    static String progressBar(BulkJob job) {
        BulkJobProgress p = job.progress();
        long total = Math.max(p.expected(), p.matched());
        int width = 30;
        int filled = total <= 0 ? (job.state().isFinished() ? width : 0) : (int) Math.min(width, p.matched() * width / total);
        String percent = total <= 0 ? (job.state().isFinished() ? "100%" : "  ?%") : String.format("%3d%%", Math.min(100, p.matched() * 100 / total));
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + percent + "  " + p.matched() + "/"
                + (p.expected() < 0 ? "?" : Long.toString(total)) + "  done " + p.done() + "  skipped " + p.skipped()
                + "  failed " + p.failed() + "  " + job.state() + "   ";
    }

    private static void sleep() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidRequestException("Interrupted while following the job; it goes on. Follow it again with taskhub jobs show <id> --wait.");
        }
    }
}

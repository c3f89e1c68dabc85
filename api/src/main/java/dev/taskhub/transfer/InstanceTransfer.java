package dev.taskhub.transfer;

import dev.taskhub.ConfigurationException;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.TaskhubException;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.spi.InstanceImport;
import dev.taskhub.spi.InstancePage;
import dev.taskhub.spi.InstanceState;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.support.Times;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Exports instances with their full history as JSON Lines and imports such a file into a task hub on any provider,
 * where unfinished instances continue (see {@link ContinuationPlan} and docs/operations.md, "Export and import").
 * Both directions stream: an export holds one page of instance rows at a time, an import one line.
 *
 * <p>Thread-safe; it does not own the provider (close it yourself). One export or import runs on the calling thread.
 */
public final class InstanceTransfer {
    /** Lines imported at once: each is a transaction of its own, so the import is bound by commit latency. */
    static final int IMPORT_PARALLELISM = 8;

    /** How many instance rows an export reads per query page. */
    static final int EXPORT_PAGE_SIZE = 100;

    private final StorageProvider provider;
    private final Clock clock;

    /** Transfers instances of the task hub {@code provider} stores. */
    public InstanceTransfer(StorageProvider provider) {
        this(provider, Clock.systemUTC());
    }

    /** Transfers instances of the task hub {@code client} manages (its provider). */
    public InstanceTransfer(TaskHubClient client) {
        this(Objects.requireNonNull(client, "client").provider());
    }

    /** As {@link #InstanceTransfer(StorageProvider)}, with the clock that stamps re-sent messages. */
    public InstanceTransfer(StorageProvider provider, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clock = Times.microsecondClock(Objects.requireNonNull(clock, "clock"));
    }

    /** As {@link #exportInstances(InstanceQuery, Writer, LongConsumer)} without progress reports. */
    public ExportSummary exportInstances(InstanceQuery query, Writer out) {
        return exportInstances(query, out, n -> { });
    }

    /**
     * Writes every instance that matches the query's filters (created range, statuses, id prefix), one line each, in
     * creation order, starting after the query's continuation token if it has one; its page size and payload flag are
     * ignored. Each line holds the instance's state and the full history of its current execution. The writer is
     * flushed after each page and not closed. {@code progress} receives the running count after each page.
     *
     * <p>An instance's row and history are read one after the other, not as one snapshot: for a consistent copy of an
     * instance that still runs, stop the hub's workers (or suspend the instance) before exporting.
     *
     * @throws UncheckedIOException when writing fails
     */
    public ExportSummary exportInstances(InstanceQuery query, Writer out, LongConsumer progress) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(progress, "progress");
        InstanceQuery page = query.toBuilder().pageSize(EXPORT_PAGE_SIZE).fetchInputsAndOutputs(true).build();
        long exported = 0;
        try {
            while (true) {
                InstancePage result = provider.queryInstances(page);
                for (InstanceState state : result.instances()) {
                    out.write(TransferFormat.encode(new ExportedInstance(state, provider.getHistory(state.instanceId()))));
                    out.write('\n');
                    exported++;
                }
                out.flush();
                progress.accept(exported);
                if (result.continuationToken() == null) {
                    return new ExportSummary(exported);
                }
                page = page.withContinuationToken(result.continuationToken());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Writing the export failed after " + exported + " instance(s): " + e.getMessage(), e);
        }
    }

    /** As {@link #importInstances(Reader, IdReusePolicy, LongConsumer)} without progress reports. */
    public ImportSummary importInstances(Reader in, IdReusePolicy policy) {
        return importInstances(in, policy, n -> { });
    }

    /**
     * Imports each line of {@code in} (as {@link #exportInstances} writes them) into this task hub: the instance's
     * state and full history at once, with the messages that make an unfinished instance continue here. Blank lines are
     * ignored. The reader is not closed.
     *
     * <p>Ids that exist already are handled by {@code policy} as when starting an instance: an existing instance whose
     * status the policy replaces is replaced; any other is kept and the line is <em>skipped</em> (not an error). An
     * existing instance that holds the same execution as the line (imported before) is skipped too, unless the policy
     * is {@link IdReusePolicy#ALWAYS_REPLACE}, so importing a file twice changes nothing more, and never turns an
     * instance that finished here back into the running state of the file.
     *
     * <p>A line that cannot be read, or whose write fails, counts as <em>failed</em>: nothing of it is written and the
     * import goes on with the next line. A line with an unknown format version stops the import with an
     * {@link dev.taskhub.InvalidRequestException} (the lines before it stay imported). Lines are imported up to
     * {@value #IMPORT_PARALLELISM} at a time; a sub-orchestration, and an instance that called one, alone, once the lines
     * before it are done (so that whichever of parent and child comes second answers the other). {@code progress} receives the
     * number of lines read so far, every 100 lines.
     *
     * @throws UncheckedIOException when reading fails
     */
    public ImportSummary importInstances(Reader in, IdReusePolicy policy, LongConsumer progress) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(progress, "progress");
        BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
        ContinuationPlan plans = new ContinuationPlan(provider);
        ImportTally tally = new ImportTally();
        ParallelLines parallel = new ParallelLines(IMPORT_PARALLELISM);
        long lineNumber = 0;
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    ExportedInstance exported = decode(line, lineNumber, tally);
                    if (exported != null) {
                        long number = lineNumber;
                        Runnable work = () -> importLine(exported, number, policy, plans, tally);
                        if (relatesToOthers(exported)) {
                            // a parent and its child must not be imported at the same moment: each would miss the
                            // other and neither would send the child's outcome
                            parallel.drain();
                            work.run();
                        } else {
                            parallel.submit(work);
                        }
                    }
                }
                if (lineNumber % 100 == 0) {
                    progress.accept(lineNumber);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Reading the import failed after line " + lineNumber + ": " + e.getMessage(), e);
        } finally {
            parallel.close();
        }
        progress.accept(lineNumber);
        return tally.summary();
    }

    /** The line's instance, or null when it cannot be read (counted as failed); an unknown format version stops the import. */
    private static ExportedInstance decode(String line, long lineNumber, ImportTally tally) {
        try {
            return TransferFormat.decode(line, lineNumber);
        } catch (TransferFormat.BadLineException e) {
            tally.failed(lineNumber, null, e.getMessage());
            return null;
        }
    }

    /** Whether the instance is a sub-orchestration or has called one: its import may have to answer another instance. */
    private static boolean relatesToOthers(ExportedInstance exported) {
        return exported.state().parentInstanceId() != null
                || exported.history().stream().anyMatch(HistoryEvent.SubOrchestrationInstanceCreated.class::isInstance);
    }

    private void importLine(ExportedInstance exported, long lineNumber, IdReusePolicy policy, ContinuationPlan plans, ImportTally tally) {
        InstanceState state = exported.state();
        String id = state.instanceId();
        try {
            Optional<InstanceState> existing = provider.getInstance(id);
            if (existing.isPresent() && policy != IdReusePolicy.ALWAYS_REPLACE
                    && Objects.equals(existing.get().executionId(), state.executionId())) {
                tally.skipped(lineNumber, id, "The task hub already holds this execution of the instance (status "
                        + existing.get().status().wireName() + "), imported before or never moved; it is kept. "
                        + "Import with the id reuse policy ALWAYS_REPLACE to overwrite it.");
                return;
            }
            InstanceImport instance = plans.plan(exported, clock.instant());
            tally.written(provider.importInstance(instance, policy.replaceableStatuses()));
        } catch (InstanceAlreadyExistsException e) {
            tally.skipped(lineNumber, id, "An instance with this id exists and is " + e.existingStatus().wireName()
                    + "; the id reuse policy " + policy + " keeps it. Import with another policy to replace it.");
        } catch (ConfigurationException e) {
            throw e;    // the provider cannot import at all
        } catch (TaskhubException e) {
            tally.failed(lineNumber, id, "Writing the instance failed: " + e.getMessage());
        }
    }
}

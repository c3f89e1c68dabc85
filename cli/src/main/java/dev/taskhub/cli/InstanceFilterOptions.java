package dev.taskhub.cli;

import dev.taskhub.query.InstanceQuery;
import picocli.CommandLine.Option;

import java.util.List;

/** The instance filters of {@code get-instances}, {@code stats} and {@code replay}: creation time range and runtime statuses. */
final class InstanceFilterOptions {
    @Option(names = "--created-after", paramLabel = "<date>", description = "Only instances created at or after this ISO 8601 time.")
    String createdAfter;

    @Option(names = "--created-before", paramLabel = "<date>", description = "Only instances created at or before this ISO 8601 time.")
    String createdBefore;

    @Option(names = "--runtime-status", arity = "1..*", paramLabel = "<status>",
            description = "Only these statuses (Pending, Running, Completed, ContinuedAsNew, Failed, Terminated, Suspended); several values or comma-separated.")
    List<String> runtimeStatus;

    /** Whether any filter was given. */
    boolean any() {
        return createdAfter != null || createdBefore != null || runtimeStatus != null;
    }

    /** A query builder with these filters, validated as the API validates them. */
    InstanceQuery.Builder query() {
        return InstanceQuery.builder()
                .createdFrom(ManagementCommands.date(createdAfter, "--created-after"))
                .createdTo(ManagementCommands.date(createdBefore, "--created-before"))
                .statuses(ManagementCommands.statuses(runtimeStatus));
    }
}

package dev.taskhub.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.convert.RawJson;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.HubHealth;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.http.WireFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The {@code func durable} management subcommands, plus suspend, resume, restart and purge-instance. */
final class ManagementCommands {
    private ManagementCommands() {}

    static Instant date(String text, String option) {
        return WireFormat.parseInstant(text, option);
    }

    static Set<RuntimeStatus> statuses(List<String> values) {
        try {
            return WireFormat.parseStatuses(values);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("--runtime-status: " + e.getMessage());
        }
    }

    @Command(name = "start-new", description = "Starts a new instance of an orchestrator.")
    static final class StartNew extends BaseCommand {
        @Option(names = "--function-name", required = true, paramLabel = "<name>", description = "Orchestrator name.")
        String functionName;

        @Option(names = "--input", paramLabel = "<json|@file>",
                description = "Input: inline JSON, or @path/to/file.json. Text that is not JSON is passed as a string.")
        String input;

        @Option(names = "--id", paramLabel = "<instanceId>", description = "Instance id (default: a new random id).")
        String id;

        @Override
        void run(Hub hub) {
            if (id != null) {
                NewOrchestrationOptions.validateInstanceId(id);
            }
            HttpManagementPayload payload = hub.start(functionName, JsonArgs.read(input, "--input"), id);
            if (json()) {
                printJson(WireFormat.payload(payload));
            } else {
                out().println("Started '" + functionName + "' with instance id " + payload.id() + " on task hub '"
                        + hub.taskHubName() + "'.");
            }
        }
    }

    @Command(name = "get-runtime-status", description = "Shows the status of an instance.")
    static final class GetRuntimeStatus extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Option(names = "--show-input", arity = "0..1", fallbackValue = "true", paramLabel = "<true|false>",
                description = "Include the input: --show-input, --show-input true or --show-input false (default: false).")
        boolean showInput;

        @Option(names = "--show-output", arity = "0..1", fallbackValue = "true", paramLabel = "<true|false>",
                description = "Include the output: --show-output, --show-output true or --show-output false (default: false).")
        boolean showOutput;

        @Override
        void run(Hub hub) {
            OrchestrationMetadata status = hub.status(id, showInput);
            if (json()) {
                ObjectNode node = WireFormat.status(status, false);
                if (!showInput) {
                    node.remove("input");
                }
                if (!showOutput) {
                    node.remove("output");
                }
                printJson(node);
            } else {
                Text.status(out(), status, showInput, showOutput);
            }
        }
    }

    @Command(name = "get-history", description = "Shows the history of an instance's current execution.")
    static final class GetHistory extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Override
        void run(Hub hub) {
            ArrayNode events = WireFormat.history(hub.history(id), true);
            if (json()) {
                printJson(events);
                return;
            }
            for (var node : events) {
                StringBuilder line = new StringBuilder(String.format("%-30s %-34s", node.get("Timestamp").asText(),
                        node.get("EventType").asText()));
                node.fields().forEachRemaining(f -> {
                    if (!f.getKey().equals("Timestamp") && !f.getKey().equals("EventType") && !f.getValue().isNull()) {
                        line.append(' ').append(f.getKey()).append('=')
                                .append(Text.abbreviate(f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString(), 120));
                    }
                });
                out().println(line.toString().stripTrailing());
            }
        }
    }

    @Command(name = "get-instances", description = "Lists the instances that match the filters, one page at a time, in creation order.")
    static final class GetInstances extends BaseCommand {
        @Mixin
        InstanceFilterOptions filters;

        @Option(names = "--top", defaultValue = "10", paramLabel = "<n>", description = "Page size (default: ${DEFAULT-VALUE}, at most 1000).")
        int top;

        @Option(names = "--continuation-token", paramLabel = "<token>", description = "Token printed by the previous page.")
        String continuationToken;

        @Option(names = "--show-input", arity = "0..1", fallbackValue = "true", paramLabel = "<true|false>",
                description = "Include inputs and outputs (JSON output only); true or false, alone means true (default: false).")
        boolean showInput;

        @Override
        void run(Hub hub) {
            // Validates like the API does, so both paths refuse the same values the same way.
            InstanceQuery query = filters.query()
                    .pageSize(top)
                    .continuationToken(continuationToken)
                    .fetchInputsAndOutputs(showInput)
                    .build();
            QueryResult page = hub.list(query);
            if (json()) {
                printJson(WireFormat.page(page));
                return;
            }
            if (page.instances().isEmpty()) {
                out().println("No instances match.");
            } else {
                String format = "%-34s %-24s %-15s %-28s %s%n";
                out().printf(format, "INSTANCE ID", "NAME", "STATUS", "CREATED", "LAST UPDATED");
                for (OrchestrationMetadata m : page.instances()) {
                    out().printf(format, m.instanceId(), m.name(), m.runtimeStatus().wireName(), WireFormat.time(m.createdAt()),
                            WireFormat.time(m.lastUpdatedAt()));
                }
            }
            if (page.continuationToken() != null) {
                out().println("More instances: pass --continuation-token " + page.continuationToken());
            }
        }
    }

    @Command(name = "stats", description = "Counts the instances that match the filters, per runtime status and per orchestration name (a Taskhub extension).")
    static final class Stats extends BaseCommand {
        @Mixin
        InstanceFilterOptions filters;

        @Option(names = "--instance-id-prefix", paramLabel = "<prefix>", description = "Only instances whose id starts with this.")
        String prefix;

        @Override
        void run(Hub hub) {
            InstanceCounts counts = hub.count(filters.query().instanceIdPrefix(prefix).build());
            HubHealth health = hub.health();
            if (json()) {
                // the health without the storage latency, which differs from call to call
                printJson(WireFormat.counts(counts).set("health", WireFormat.healthStatus(health)
                        .put("stuckPending", health.stuckPending()).put("stuckInstances", health.stuckInstances())
                        .put("quarantined", health.quarantined()).put("problem", health.problem())));
                return;
            }
            out().println("Health: " + health.status().wireName() + (health.problem() == null ? "" : ". " + health.problem()));
            out().println("Stuck instances: " + health.stuckInstances() + (health.stuckPendingMore() ? "+" : "")
                    + " (see 'taskhub stuck'); quarantine records: " + health.quarantined() + (health.quarantinedMore() ? "+" : "")
                    + " (see 'taskhub quarantine list').");
            out().println();
            if (counts.total() == 0) {
                out().println("No instances match.");
                return;
            }
            String format = "%-15s %12s%n";
            out().printf(format, "STATUS", "INSTANCES");
            counts.byStatus().forEach((status, n) -> out().printf(format, status.wireName(), n));
            out().printf(format, "Total", counts.total());
            out().println();
            String byName = "%-32s %-15s %12s%n";
            out().printf(byName, "NAME", "STATUS", "INSTANCES");
            counts.byName().forEach((name, perStatus) -> perStatus.forEach((status, n) ->
                    out().printf(byName, name.isEmpty() ? "(none)" : name, status.wireName(), n)));
        }
    }

    @Command(name = "terminate", description = "Terminates a running instance.")
    static final class Terminate extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Option(names = "--reason", defaultValue = "Terminated via the taskhub command line", paramLabel = "<text>",
                description = "Reason, recorded as the output (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        void run(Hub hub) {
            hub.terminate(id, reason);
            printAccepted("terminate", id, "Termination of instance " + id + " requested; it stops at its next await.");
        }
    }

    @Command(name = "raise-event", description = "Sends an event to an instance.")
    static final class RaiseEvent extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Option(names = "--event-name", paramLabel = "<name>", description = "Event name (default: Event_<random guid>).")
        String eventName;

        @Option(names = "--event-data", paramLabel = "<json|@file>",
                description = "Event data: inline JSON or @path/to/file.json (default: the string \"Data_<random guid>\").")
        String eventData;

        @Override
        void run(Hub hub) {
            String name = eventName != null ? eventName : "Event_" + UUID.randomUUID().toString().replace("-", "");
            RawJson data = eventData != null ? JsonArgs.read(eventData, "--event-data")
                    : new RawJson("\"Data_" + UUID.randomUUID().toString().replace("-", "") + "\"");
            hub.raiseEvent(id, name, data);
            printAccepted("raiseEvent", id, "Raised event '" + name + "' to instance " + id + ".");
        }
    }

    @Command(name = "rewind", description = "Rewinds a failed instance: failed activities run again.")
    static final class Rewind extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Option(names = "--reason", defaultValue = "Rewound via the taskhub command line", paramLabel = "<text>",
                description = "Reason (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        void run(Hub hub) {
            hub.rewind(id, reason);
            printAccepted("rewind", id, "Rewind of instance " + id + " requested.");
        }
    }

    @Command(name = "suspend", description = "Suspends a running instance; events that arrive meanwhile are kept.")
    static final class Suspend extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Option(names = "--reason", defaultValue = "Suspended via the taskhub command line", paramLabel = "<text>",
                description = "Reason (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        void run(Hub hub) {
            hub.suspend(id, reason);
            printAccepted("suspend", id, "Suspension of instance " + id + " requested.");
        }
    }

    @Command(name = "resume", description = "Resumes a suspended instance.")
    static final class Resume extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Option(names = "--reason", defaultValue = "Resumed via the taskhub command line", paramLabel = "<text>",
                description = "Reason (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        void run(Hub hub) {
            hub.resume(id, reason);
            printAccepted("resume", id, "Resumption of instance " + id + " requested.");
        }
    }

    @Command(name = "restart", description = "Starts an instance again with its original input.")
    static final class Restart extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Option(names = "--new-instance-id", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "Run under a new random id (default); --no-new-instance-id reuses the id once the instance has finished.")
        boolean newInstanceId;

        @Override
        void run(Hub hub) {
            HttpManagementPayload payload = hub.restart(id, newInstanceId);
            if (json()) {
                printJson(WireFormat.payload(payload));
            } else {
                out().println("Restarted instance " + id + " as " + payload.id() + ".");
            }
        }
    }

    @Command(name = "purge-instance", description = "Deletes one finished instance with its history.")
    static final class PurgeInstance extends BaseCommand {
        @Option(names = "--id", required = true, paramLabel = "<instanceId>", description = "Instance id.")
        String id;

        @Override
        void run(Hub hub) {
            long deleted = hub.purgeInstance(id);
            if (json()) {
                printJson(WireFormat.purgeResult(deleted));
            } else {
                out().println("Purged instance " + id + ".");
            }
        }
    }

    @Command(name = "purge-history", description = "Deletes finished instances (and their history) that match the filters.")
    static final class PurgeHistory extends BaseCommand {
        @Option(names = "--created-after", paramLabel = "<date>", description = "Only instances created at or after this ISO 8601 time (default: the beginning).")
        String createdAfter;

        @Option(names = "--created-before", paramLabel = "<date>", description = "Only instances created at or before this ISO 8601 time (default: now).")
        String createdBefore;

        @Option(names = "--runtime-status", arity = "1..*", paramLabel = "<status>",
                description = "Only these terminal statuses: Completed, Failed, Terminated (default: all three).")
        List<String> runtimeStatus;

        @Override
        void run(Hub hub) {
            Instant from = createdAfter == null ? Instant.EPOCH : date(createdAfter, "--created-after");
            PurgeCriteria criteria = PurgeCriteria.builder().createdFrom(from)
                    .createdTo(date(createdBefore, "--created-before")).statuses(statuses(runtimeStatus)).build();
            // progress: what is left of the matches, counted once a second while the purge runs
            InstanceQuery matches = InstanceQuery.builder().createdFrom(criteria.createdFrom()).createdTo(criteria.createdTo())
                    .statuses(criteria.statuses()).build();
            long total = json() ? 0 : hub.count(matches).total();
            long deleted = Progress.run(err(), json() ? null : "Purging", () -> hub.purgeInstances(criteria),
                    () -> String.format("%,d of %,d purged", Math.max(0, total - hub.count(matches).total()), total));
            if (json()) {
                printJson(WireFormat.purgeResult(deleted));
            } else {
                out().println("Purged " + deleted + " instance(s) from task hub '" + hub.taskHubName() + "'.");
            }
        }
    }

    @Command(name = "delete-task-hub", description = "Deletes the task hub: every instance, history and queue in it.")
    static final class DeleteTaskHub extends BaseCommand {
        @Override
        boolean createsTaskHub() {
            return false;
        }

        @Override
        void run(Hub hub) {
            Progress.run(err(), json() ? null : "Deleting task hub", () -> {
                hub.deleteTaskHub();
                return 0L;
            });
            if (json()) {
                printJson(WireFormat.taskHubDeleted(hub.taskHubName()));
            } else {
                out().println("Deleted task hub '" + hub.taskHubName() + "'.");
            }
        }
    }
}

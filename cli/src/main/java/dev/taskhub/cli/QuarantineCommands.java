package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.http.OperationsWire;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.query.Ages;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantineReplay;
import dev.taskhub.query.QuarantinedMessage;
import dev.taskhub.query.StuckInstance;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.StuckReason;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.EnumSet;
import java.util.stream.Collectors;

/**
 * {@code taskhub stuck} and {@code taskhub quarantine list|show|replay|discard}: stuck instances and the poison messages
 * the workers quarantined (Taskhub extensions; see docs/operations.md), locally or through {@code --url} like every
 * management subcommand.
 */
final class QuarantineCommands {
    private QuarantineCommands() {}

    @Command(name = "stuck", description = {"Lists instances stuck for longer than a threshold, with the reasons: Pending "
            + "(no worker starts it), OverdueTimer (a due timer is not applied), LockedPastLease (a lock whose lease ended "
            + "and nobody took over) and RepeatedFailures (its messages came back without a checkpoint).",
            "What a provider can see differs; the output says which reasons it looked for."})
    static final class Stuck extends BaseCommand {
        @Option(names = "--threshold", paramLabel = "<age>", defaultValue = "5m",
                description = "How long an instance may wait before it counts as stuck: 5m, 30s, 2h or ISO 8601 (default: ${DEFAULT-VALUE}).")
        String threshold;

        @Option(names = "--limit", paramLabel = "<n>", description = "The most instances listed, 1-" + StuckQuery.MAX_LIMIT
                + " (default: " + StuckQuery.DEFAULT_LIMIT + ").")
        int limit = StuckQuery.DEFAULT_LIMIT;

        @Option(names = "--repeated-deliveries", paramLabel = "<k>", description = "Deliveries without a checkpoint from which "
                + "an instance has RepeatedFailures, at least 2 (default: " + StuckQuery.DEFAULT_REPEATED_DELIVERIES + ").")
        int repeatedDeliveries = StuckQuery.DEFAULT_REPEATED_DELIVERIES;

        @Override
        boolean createsTaskHub() {
            return false;
        }

        @Override
        void run(Hub hub) {
            StuckQuery query;
            try {
                query = StuckQuery.builder().threshold(Ages.parse(threshold, "--threshold")).limit(limit)
                        .repeatedDeliveries(repeatedDeliveries).build();
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException(e.getMessage().replace("The limit of stuck instances", "--limit")
                        .replace("Repeated deliveries", "--repeated-deliveries"));
            }
            StuckInstances stuck = hub.stuck(query);
            if (json()) {
                printJson(OperationsWire.stuck(stuck));
                return;
            }
            EnumSet<StuckReason> notExamined = EnumSet.complementOf(stuck.examined().isEmpty()
                    ? EnumSet.noneOf(StuckReason.class) : EnumSet.copyOf(stuck.examined()));
            String unseen = notExamined.isEmpty() ? "" : " (this provider cannot see "
                    + notExamined.stream().map(StuckReason::wireName).collect(Collectors.joining(", ")) + ")";
            if (stuck.instances().isEmpty()) {
                out().println("No instance of task hub '" + hub.taskHubName() + "' is stuck for longer than "
                        + Ages.format(query.threshold()) + unseen + ".");
                return;
            }
            String format = "%-36s %-24s %-10s %-32s %-26s %s%n";
            out().printf(format, "INSTANCE", "NAME", "STATUS", "REASONS", "DUE SINCE", "DELIVERIES");
            for (StuckInstance s : stuck.instances()) {
                out().printf(format, s.instanceId(), s.name(), s.status().wireName(),
                        s.orderedReasons().stream().map(StuckReason::wireName).collect(Collectors.joining(",")),
                        s.oldestDueAt() == null ? "-" : WireFormat.time(s.oldestDueAt()), s.deliveryCount());
            }
            out().println(stuck.instances().size() + (stuck.more() ? "+" : "") + " stuck instance(s)" + unseen
                    + (stuck.more() ? "; more than --limit " + query.limit() + ", raise it to see them." : "."));
        }
    }

    @Command(name = "quarantine", description = {"Poison messages the workers quarantined (delivered more than "
            + "maxDeliveryCount times): list them, show one, replay it (put the messages back to work) or discard it."},
            subcommands = {ListRecords.class, ShowRecord.class, ReplayRecord.class, DiscardRecord.class})
    static final class Quarantine implements Runnable {
        @Spec
        CommandSpec spec;

        /** Without a subcommand: a usage error. */
        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: list, show, replay or discard.");
        }
    }

    /** A record subcommand: the task hub must exist already. */
    abstract static class RecordCommand extends BaseCommand {
        @Override
        boolean createsTaskHub() {
            return false;
        }
    }

    @Command(name = "list", description = "Lists quarantine records, oldest first.")
    static final class ListRecords extends RecordCommand {
        @Option(names = "--instance-id", paramLabel = "<id>", description = "Only the records of this instance.")
        String instanceId;

        @Option(names = "--kind", paramLabel = "<kind>", description = "Only records of this kind: Orchestration or Activity.")
        String kind;

        @Option(names = "--top", paramLabel = "<n>", description = "Records per page, 1-1000 (default: 100).")
        int top = QuarantineQuery.DEFAULT_PAGE_SIZE;

        @Option(names = "--continuation-token", paramLabel = "<token>", description = "The token a previous page printed.")
        String token;

        @Override
        void run(Hub hub) {
            QuarantineQuery.Builder query = QuarantineQuery.builder().instanceId(instanceId).continuationToken(token).pageSize(top);
            if (kind != null) {
                try {
                    query.kind(QuarantineRecord.Kind.parse(kind));
                } catch (InvalidRequestException e) {
                    throw new InvalidRequestException("--kind: " + e.getMessage());
                }
            }
            if (top < 1 || top > QuarantineQuery.MAX_PAGE_SIZE) {
                throw new InvalidRequestException("--top must be between 1 and " + QuarantineQuery.MAX_PAGE_SIZE + ", got " + top + ".");
            }
            QuarantinePage page = hub.quarantine(query.build());
            if (json()) {
                printJson(OperationsWire.records(page.records()));
            } else if (page.records().isEmpty()) {
                out().println("No quarantine records" + (instanceId == null ? "" : " of instance '" + instanceId + "'")
                        + " in task hub '" + hub.taskHubName() + "'.");
            } else {
                String format = "%-32s %-36s %-13s %10s  %-27s %s%n";
                out().printf(format, "ID", "INSTANCE", "KIND", "DELIVERIES", "QUARANTINED", "MESSAGES");
                for (QuarantineRecord r : page.records()) {
                    out().printf(format, r.id(), r.instanceId(), r.kind().wireName(), r.deliveryCount(),
                            WireFormat.time(r.quarantinedAt()), describe(r));
                }
            }
            if (page.continuationToken() != null) {
                (json() ? err() : out()).println("More records: pass --continuation-token " + page.continuationToken());
            }
        }
    }

    /** The messages' event types, e.g. {@code EventRaised(Approval), TimerFired} or {@code Activity Charge (task 3)}. */
    static String describe(QuarantineRecord r) {
        return r.messages().stream().map(m -> m.event() instanceof dev.taskhub.history.HistoryEvent.TaskScheduled t
                ? "Activity " + t.name() + " (task " + t.eventId() + ")"
                : m.event() instanceof dev.taskhub.history.HistoryEvent.EventRaised e ? "EventRaised(" + e.name() + ")"
                : m.event().eventType()).collect(Collectors.joining(", "));
    }

    @Command(name = "show", description = "Shows one quarantine record with its messages.")
    static final class ShowRecord extends RecordCommand {
        @Parameters(index = "0", paramLabel = "<record-id>", description = "The record's id (from 'taskhub quarantine list').")
        String id;

        @Override
        void run(Hub hub) {
            QuarantineRecord r = hub.quarantineRecord(id);
            if (json()) {
                printJson(OperationsWire.record(r));
                return;
            }
            out().println("Record:        " + r.id());
            out().println("Instance:      " + r.instanceId() + (r.executionId() == null ? "" : " (execution " + r.executionId() + ")"));
            out().println("Kind:          " + r.kind().wireName());
            out().println("Deliveries:    " + r.deliveryCount());
            out().println("Quarantined:   " + WireFormat.time(r.quarantinedAt()));
            out().println("Reason:        " + r.reason());
            out().println("Messages:");
            JsonNode events = OperationsWire.record(r).get("messages");
            for (int i = 0; i < r.messages().size(); i++) {
                QuarantinedMessage m = r.messages().get(i);
                out().println("  " + m.messageId() + "  " + m.event().eventType()
                        + (m.visibleAt() == null ? "" : " (due " + WireFormat.time(m.visibleAt()) + ")"));
                out().println("    " + WireFormat.write(events.get(i).get("event")));
            }
        }
    }

    @Command(name = "replay", description = {"Puts a quarantine record's messages back to work and deletes the record: "
            + "an orchestration record rewinds the failed instance and sends the messages again under their ids; an "
            + "activity record rewinds the failed instance, which runs the activity again. Refused (exit code 1) when the "
            + "instance can do nothing with them."})
    static final class ReplayRecord extends RecordCommand {
        @Parameters(index = "0", paramLabel = "<record-id>", description = "The record's id.")
        String id;

        @Override
        void run(Hub hub) {
            QuarantineReplay replay = hub.replayQuarantineRecord(id);
            if (json()) {
                printJson(OperationsWire.replay(replay));
                return;
            }
            out().println("Replayed quarantine record " + replay.recordId() + " of instance '" + replay.instanceId() + "': "
                    + (replay.rewound() ? "rewound the instance" : "the instance was not failed")
                    + (replay.messagesSent() > 0 ? ", sent " + replay.messagesSent() + " message(s) again" : "")
                    + ". Follow it with 'taskhub get-runtime-status --id " + replay.instanceId() + "'.");
        }
    }

    @Command(name = "discard", description = "Deletes a quarantine record: its messages are dropped for good.")
    static final class DiscardRecord extends RecordCommand {
        @Parameters(index = "0", paramLabel = "<record-id>", description = "The record's id.")
        String id;

        @Override
        void run(Hub hub) {
            hub.discardQuarantineRecord(id);
            if (json()) {
                printJson(OperationsWire.discarded(id));
            } else {
                out().println("Discarded quarantine record " + id + " from task hub '" + hub.taskHubName() + "'.");
            }
        }
    }
}

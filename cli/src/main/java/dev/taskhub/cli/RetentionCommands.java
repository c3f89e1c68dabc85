package dev.taskhub.cli;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.query.Ages;
import dev.taskhub.retention.RetentionEnforcer;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.RetentionReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;

/**
 * {@code taskhub retention set|list|remove|apply}: the task hub's retention policies (a Taskhub extension; see
 * docs/operations.md, "Retention"), locally or through {@code --url} like every management subcommand.
 */
@Command(name = "retention", description = {"Retention policies: how long finished instances are kept, per runtime status "
        + "and optionally per orchestration name. Workers purge expired instances in the background (a bounded pass every "
        + "minute by default); 'apply' runs one pass now."},
        subcommands = {RetentionCommands.SetPolicy.class, RetentionCommands.ListPolicies.class,
                RetentionCommands.RemovePolicy.class, RetentionCommands.ApplyPolicies.class})
final class RetentionCommands implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without a subcommand: a usage error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: set, list, remove or apply.");
    }

    /** Which policy: {@code --status} and, optionally, {@code --name}. */
    static final class Scope {
        @Option(names = {"--status", "--runtime-status"}, required = true, paramLabel = "<status>",
                description = "The finished status: Completed, Failed or Terminated.")
        String status;

        @Option(names = "--name", paramLabel = "<orchestration>",
                description = "The policy of this orchestration name (default: the policy for every name that has none of its own).")
        String name;

        RuntimeStatus status() {
            try {
                return RetentionPolicy.requireTerminal(RuntimeStatus.parse(status));
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("--status: " + e.getMessage());
            }
        }
    }

    /** {@code Completed} or {@code Completed of ProcessOrder}: a policy's scope, for messages. */
    static String describeScope(RuntimeStatus status, String name) {
        return status.wireName() + (name == null ? " (every orchestration name)" : " of '" + name + "'");
    }

    @Command(name = "set", description = "Adds a retention policy, or replaces the one of the same status and name.")
    static final class SetPolicy extends BaseCommand {
        @Mixin
        Scope scope;

        @Option(names = "--older-than", required = true, paramLabel = "<age>",
                description = "Purge instances that finished longer ago than this: 7d, 12h, 30m, 45s, 2w or ISO 8601 (P7D).")
        String olderThan;

        @Override
        void run(Hub hub) {
            RetentionPolicy policy = new RetentionPolicy(scope.status(), scope.name, Ages.parse(olderThan, "--older-than"));
            hub.setRetentionPolicy(policy);
            if (json()) {
                printJson(WireFormat.retentionPolicy(policy));
            } else {
                out().println("Retention policy set on task hub '" + hub.taskHubName() + "': " + policy.describe() + ".");
            }
        }
    }

    @Command(name = "list", description = "Lists the retention policies.")
    static final class ListPolicies extends BaseCommand {
        @Override
        void run(Hub hub) {
            List<RetentionPolicy> policies = hub.retentionPolicies();
            if (json()) {
                printJson(WireFormat.retentionPolicies(policies));
                return;
            }
            if (policies.isEmpty()) {
                out().println("No retention policies: finished instances are kept until purged.");
                return;
            }
            String format = "%-12s %-32s %s%n";
            out().printf(format, "STATUS", "NAME", "OLDER THAN");
            policies.forEach(p -> out().printf(format, p.status().wireName(), p.name().orElse("(every name)"), Ages.format(p.olderThan())));
        }
    }

    @Command(name = "remove", description = "Removes the retention policy of a status and, with --name, of one orchestration name.")
    static final class RemovePolicy extends BaseCommand {
        @Mixin
        Scope scope;

        @Override
        void run(Hub hub) {
            RuntimeStatus parsed = scope.status();
            String name = scope.name;
            if (!hub.removeRetentionPolicy(parsed, name)) {
                throw new InvalidRequestException("Task hub '" + hub.taskHubName() + "' has no retention policy for "
                        + describeScope(parsed, name) + ". See them with 'taskhub retention list'.");
            }
            if (json()) {
                printJson(WireFormat.retentionPolicies(hub.retentionPolicies()));
            } else {
                out().println("Removed the retention policy for " + describeScope(parsed, name) + " from task hub '" + hub.taskHubName() + "'.");
            }
        }
    }

    @Command(name = "apply", description = "Runs one retention pass now, as workers do in the background, and shows what it purged.")
    static final class ApplyPolicies extends BaseCommand {
        @Option(names = "--limit-per-policy", paramLabel = "<n>",
                description = "The most instances purged per policy (default: " + RetentionEnforcer.DEFAULT_LIMIT_PER_POLICY + ").")
        int limit = RetentionEnforcer.DEFAULT_LIMIT_PER_POLICY;

        @Override
        void run(Hub hub) {
            if (limit < 1) {
                throw new InvalidRequestException("--limit-per-policy must be at least 1, got " + limit + ".");
            }
            RetentionReport report = hub.applyRetentionPolicies(limit);
            if (json()) {
                printJson(WireFormat.retentionReport(report));
                return;
            }
            if (report.outcomes().isEmpty()) {
                out().println("No retention policies on task hub '" + hub.taskHubName() + "'; nothing purged.");
                return;
            }
            String format = "%-48s %12s%n";
            out().printf(format, "POLICY", "PURGED");
            report.outcomes().forEach(o -> out().printf(format, o.policy().describe(), o.purged() + (o.more() ? "+" : "")));
            out().println("Purged " + report.total() + " instance(s) from task hub '" + hub.taskHubName() + "'."
                    + (report.more() ? " '+': the limit was reached; more expired instances remain for the next pass." : ""));
        }
    }
}

package dev.taskhub.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.QueryResult;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.replay.InstanceHistory;
import dev.taskhub.replay.NonDeterminism;
import dev.taskhub.replay.ReplayResult;
import dev.taskhub.replay.Replayer;
import dev.taskhub.worker.TaskRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code taskhub replay}: replays stored histories against the orchestrators on the class path (every
 * {@code TaskModule}, as {@code serve} registers them) and reports each instance whose history the code no longer
 * reproduces. Histories come from files (exported with {@code get-history --json} or the HTTP status query with
 * {@code showHistory=true}) or from the task hub (by id, or every instance that the filters match).
 */
@Command(name = "replay", description = {"Replays stored histories against the orchestrator code on the class path and reports "
        + "each non-deterministic change: the instance, the event position and what the code does instead.",
        "Histories come from --file (JSON of 'get-history --json' or of the HTTP status query with showHistory=true), or from "
                + "the task hub: --id, or the filters (--runtime-status, --created-after, --created-before; all instances without them)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every history replays deterministically", "1:refused (unreadable file, unknown instance, configuration)",
                "2:usage error", "3:at least one history does not replay: the code changed in a non-deterministic way"})
final class ReplayCommand extends BaseCommand {
    static final int NON_DETERMINISTIC = 3;

    @Option(names = "--file", arity = "1..*", paramLabel = "<path>",
            description = "JSON history files; the instance id of a bare event array is its file name without .json.")
    List<Path> files;

    @Option(names = "--id", arity = "1..*", paramLabel = "<instanceId>", description = "Instances of the task hub to replay.")
    List<String> ids;

    @Mixin
    InstanceFilterOptions filters;

    private int found;

    @Override
    public Integer call() {
        List<ReplayResult> results = new ArrayList<>();
        if (files != null && !files.isEmpty()) {
            if (ids != null || filters.any()) {
                throw new InvalidRequestException("Pass either --file or the task hub's instances (--id or filters), not both.");
            }
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new InvalidRequestException("No history file at " + file + ".");
                }
                String name = file.getFileName().toString().replaceFirst("\\.json$", "");
                InstanceHistory.readJson(file, name).forEach(h -> results.add(replayer().replay(h)));
            }
            report(results);
        } else {
            super.call();   // opens the hub and runs below
        }
        out().flush();
        return found > 0 ? NON_DETERMINISTIC : 0;
    }

    @Override
    void run(Hub hub) {
        List<ReplayResult> results = new ArrayList<>();
        boolean exported = hub instanceof RemoteHub;   // read back from the HTTP API's wire format
        if (ids != null && !ids.isEmpty()) {
            for (String id : ids) {
                hub.status(id, false);   // refuses an unknown instance
                results.add(replayer().replay(new InstanceHistory(id, hub.history(id), exported)));
            }
        } else {
            InstanceQuery query = filters.query().pageSize(100).build();
            while (true) {
                QueryResult page = hub.list(query);
                for (OrchestrationMetadata m : page.instances()) {
                    results.add(replayer().replay(new InstanceHistory(m.instanceId(), hub.history(m.instanceId()), exported)));
                }
                if (page.continuationToken() == null) {
                    break;
                }
                query = query.toBuilder().continuationToken(page.continuationToken()).build();
            }
        }
        report(results);
    }

    @Override
    boolean createsTaskHub() {
        return false;
    }

    private Replayer replayer;

    private Replayer replayer() {
        if (replayer == null) {
            replayer = Replayer.of(new TaskRegistry().addModulesFromClassPath());
        }
        return replayer;
    }

    private void report(List<ReplayResult> results) {
        found = (int) results.stream().filter(r -> !r.isDeterministic()).count();
        if (json()) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            for (ReplayResult r : results) {
                ObjectNode n = array.addObject().put("instanceId", r.instanceId()).put("orchestrator", r.orchestrator())
                        .put("deterministic", r.isDeterministic());
                r.nonDeterminism().ifPresent(d -> n.put("position", d.position()).put("recorded", d.recorded()).put("actual", d.actual()));
            }
            printJson(array);
            return;
        }
        for (ReplayResult r : results) {
            if (r.isDeterministic()) {
                out().println("OK                 " + r.instanceId() + (r.orchestrator() == null ? " (not started)" : " (" + r.orchestrator() + ")"));
            } else {
                NonDeterminism d = r.nonDeterminism().orElseThrow();
                out().println("NON-DETERMINISTIC  " + r.instanceId() + " (" + r.orchestrator() + ") at event " + d.position()
                        + ": the history records " + d.recorded() + ", but the code now " + d.actual());
            }
        }
        out().println("Replayed " + results.size() + " histor" + (results.size() == 1 ? "y" : "ies") + ": "
                + (found == 0 ? "all deterministic." : found + " non-deterministic."));
    }
}

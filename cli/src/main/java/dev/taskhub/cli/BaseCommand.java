package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.taskhub.client.http.WireFormat;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * A management subcommand: opens the configured task hub (or connects to the HTTP API given by {@code --url}), runs,
 * closes it. Exit code 0; refusals are exceptions that the command line turns into exit code 1.
 */
abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    RemoteOptions remote;

    @Mixin
    OutputOptions output;

    @Spec
    CommandSpec spec;

    CliContext context = CliContext.system();

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public Integer call() {
        try (Hub hub = openHub()) {
            run(hub);
        }
        out().flush();
        return 0;
    }

    private Hub openHub() {
        if (remote.url != null) {
            return RemoteHub.connect(remote, common, context.environment());
        }
        Session session = Session.open(common, context.configuration().get(), createsTaskHub());
        session.warnIfNotDurable(err());
        return new LocalHub(session);
    }

    abstract void run(Hub hub);

    /** Whether the task hub is created (idempotently) before the command runs. */
    boolean createsTaskHub() {
        return true;
    }

    boolean json() {
        return output.json;
    }

    void printJson(JsonNode node) {
        out().println(WireFormat.writePretty(node));
    }

    /** The JSON answer of an operation that HTTP answers with an empty 202. */
    void printAccepted(String operation, String instanceId, String text) {
        if (json()) {
            printJson(JsonNodeFactory.instance.objectNode().put("instanceId", instanceId).put("operation", operation)
                    .put("accepted", true));
        } else {
            out().println(text);
        }
    }
}

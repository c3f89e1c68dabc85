package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.taskhub.http.WireFormat;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** A management subcommand: opens the configured task hub, runs, closes it. Exit code 0; failures are exceptions. */
abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

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
        try (Session session = Session.open(common, context.configuration().get(), true)) {
            session.warnIfNotDurable(err());
            run(session);
        }
        out().flush();
        return 0;
    }

    abstract void run(Session session);

    void printJson(JsonNode node) {
        out().println(WireFormat.writePretty(node));
    }

    /** The JSON answer of an operation that HTTP answers with an empty 202. */
    void printAccepted(String operation, String instanceId, String text) {
        if (common.json) {
            printJson(JsonNodeFactory.instance.objectNode().put("instanceId", instanceId).put("operation", operation)
                    .put("accepted", true));
        } else {
            out().println(text);
        }
    }
}

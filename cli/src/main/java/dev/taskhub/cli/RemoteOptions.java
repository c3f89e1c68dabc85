package dev.taskhub.cli;

import picocli.CommandLine.Option;

/** Where a running HTTP management API is, for managing a task hub through it instead of opening its storage. */
final class RemoteOptions {
    @Option(names = "--url", paramLabel = "<url>",
            description = "Manage the task hub behind this HTTP management API instead of opening its storage, e.g. "
                    + "http://127.0.0.1:7071/runtime/webhooks/durabletask (what 'taskhub serve' prints). Works with the "
                    + "in-memory hub of a running 'taskhub serve'.")
    String url;

    @Option(names = "--key", paramLabel = "<key>", description = "System key for --url (default: environment variable TASKHUB_HTTP_KEY).")
    String key;
}

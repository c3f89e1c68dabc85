package dev.taskhub.cli;

import picocli.CommandLine.Option;

/** Where the task hub is: connection string setting, task hub name, provider. */
final class CommonOptions {
    @Option(names = "--connection-string-setting", paramLabel = "<name>", defaultValue = "AzureWebJobsStorage",
            description = "Name of the environment variable or taskhub.properties key that holds the connection string "
                    + "(default: ${DEFAULT-VALUE}). Unset means the in-memory provider, which lives only inside this one process.")
    String connectionStringSetting;

    @Option(names = "--task-hub-name", paramLabel = "<name>",
            description = "Task hub name (default: taskhub.hubName, else DurableFunctionsHub).")
    String taskHubName;

    @Option(names = "--provider", paramLabel = "<name>",
            description = "Storage provider by name (inmemory, postgres, azure-storage) instead of choosing by connection string.")
    String provider;

}

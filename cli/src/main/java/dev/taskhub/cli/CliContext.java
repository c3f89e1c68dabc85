package dev.taskhub.cli;

import dev.taskhub.config.TaskHubConfiguration;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What commands get from their host: the configuration (env + taskhub.properties of the working directory) and the
 * process environment (for TASKHUB_HTTP_KEY). Tests pass their own.
 */
record CliContext(Supplier<TaskHubConfiguration> configuration, Map<String, String> environment) {
    static CliContext system() {
        return new CliContext(TaskHubConfiguration::load, System.getenv());
    }

    /** Whether a person is watching (a terminal): progress bars are drawn only then. */
    boolean interactive() {
        return System.console() != null;
    }
}

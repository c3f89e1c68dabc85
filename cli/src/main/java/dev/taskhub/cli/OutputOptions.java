package dev.taskhub.cli;

import picocli.CommandLine.Option;

/** How results are printed. */
final class OutputOptions {
    @Option(names = "--json", arity = "0..1", fallbackValue = "true", paramLabel = "<true|false>",
            description = "Print JSON (the HTTP API's wire format) instead of text; true or false, alone means true.")
    boolean json;

    @Option(names = "--verbose", arity = "0..1", fallbackValue = "true", paramLabel = "<true|false>",
            description = "On a storage failure or an unexpected error, also print the underlying message (storage address, "
                    + "driver text), which is left out by default; true or false, alone means true.")
    boolean verbose;
}

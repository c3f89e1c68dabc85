package dev.taskhub.cli;

import picocli.CommandLine.Option;

/** How results are printed. */
final class OutputOptions {
    @Option(names = "--json", description = "Print JSON (the HTTP API's wire format) instead of text.")
    boolean json;
}

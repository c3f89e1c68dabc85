/**
 * The {@code taskhub} command line: {@code func durable}'s subcommands and flags, plus {@code serve} (worker and HTTP
 * management API) and {@code demo}. Entry point {@link dev.taskhub.cli.TaskhubCli}. Zone: user-facing tool.
 */
package dev.taskhub.cli;

package dev.taskhub.transfer;

/**
 * What an export wrote. Immutable.
 *
 * @param exported how many instances (lines) were written
 */
public record ExportSummary(long exported) {}

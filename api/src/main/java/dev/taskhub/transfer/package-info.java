/**
 * Moving instances with their full history between task hubs on any providers (user-facing):
 * {@link dev.taskhub.transfer.InstanceTransfer} exports the instances a query matches as JSON Lines and imports such a
 * file into another hub, where running instances continue. {@code taskhub export} / {@code taskhub import} and the
 * HTTP routes use it. The format is documented in docs/operations.md, "Export and import".
 */
package dev.taskhub.transfer;

/**
 * Replaying stored histories against the current orchestrator code (user-facing): {@link dev.taskhub.replay.Replayer}
 * reports each instance whose history the code no longer reproduces ({@link dev.taskhub.replay.NonDeterminism}), from
 * histories read through the SPI or from exported JSON ({@link dev.taskhub.replay.InstanceHistory}). The
 * {@code taskhub replay} command and unit tests use it. See docs/testing.md.
 */
package dev.taskhub.replay;

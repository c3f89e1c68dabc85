/**
 * Testing orchestrations (user-facing): {@link dev.taskhub.testing.TaskhubExtension}, a JUnit 5 extension that gives
 * each test a {@link dev.taskhub.testing.TestTaskHub} (worker, client and in-memory task hub on a virtual clock that
 * skips ahead while every instance waits), and {@link dev.taskhub.testing.HistoryAssert} for assertions on histories.
 * See docs/testing.md.
 */
package dev.taskhub.testing;

/**
 * The provider conformance suite: abstract JUnit 5 classes that a provider module runs with one tiny subclass each.
 * Zone: extensibility (for provider authors).
 */
package dev.taskhub.conformance;

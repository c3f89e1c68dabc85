/**
 * The provider conformance suite. A provider module runs all of it with one subclass of
 * {@link dev.taskhub.conformance.ProviderConformanceSuite}. Zone: extensibility (for provider authors).
 */
package dev.taskhub.conformance;

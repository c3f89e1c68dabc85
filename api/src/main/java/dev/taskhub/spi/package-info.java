/**
 * The storage provider SPI. Zone: extensibility contract for provider authors.
 *
 * <p>A provider is a {@link dev.taskhub.spi.StorageProviderFactory} registered in
 * {@code META-INF/services/dev.taskhub.spi.StorageProviderFactory}. Its {@link dev.taskhub.spi.StorageProvider}
 * implements five contracts: {@link dev.taskhub.spi.InstanceStore}, {@link dev.taskhub.spi.HistoryStore},
 * {@link dev.taskhub.spi.MessageQueue}, {@link dev.taskhub.spi.CheckpointStore} and
 * {@link dev.taskhub.spi.RetentionStore}. The conformance suite
 * ({@code taskhub-conformance-tests}) checks every invariant stated here.
 *
 * <p>Payloads cross the SPI as JSON text; providers never need user classes.
 */
package dev.taskhub.spi;

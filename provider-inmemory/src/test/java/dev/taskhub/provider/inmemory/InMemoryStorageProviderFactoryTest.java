package dev.taskhub.provider.inmemory;

import dev.taskhub.config.StorageProviders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryStorageProviderFactoryTest {
    @Test
    void emptyConnectionString_selectsTheInMemoryProvider_asTheDefault() {
        assertThat(StorageProviders.select(null, null).name()).isEqualTo("inmemory");
        assertThat(StorageProviders.select(null, "").name()).isEqualTo("inmemory");
        assertThat(StorageProviders.select(null, " InMemory ").name()).isEqualTo("inmemory");
        InMemoryStorageProviderFactory factory = new InMemoryStorageProviderFactory();
        assertThat(factory.exampleConnectionStrings()).allMatch(factory::accepts);
        assertThat(factory.accepts("jdbc:postgresql://localhost/db")).isFalse();
        assertThat(factory.maskSecrets("inmemory")).isEqualTo("inmemory");
        assertThat(factory.settingsPrefix()).isEqualTo("taskhub.inmemory.");
    }
}

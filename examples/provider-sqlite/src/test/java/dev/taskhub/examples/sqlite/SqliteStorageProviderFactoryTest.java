package dev.taskhub.examples.sqlite;

import dev.taskhub.ConfigurationException;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.spi.ProviderConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The factory is found through ServiceLoader and refuses what it cannot store durably. */
class SqliteStorageProviderFactoryTest {
    @Test
    void factory_isFoundByConnectionString_andDescribesItself() {
        assertThat(StorageProviders.select(null, "jdbc:sqlite:target/any.db").name()).isEqualTo("sqlite");
        SqliteStorageProviderFactory factory = new SqliteStorageProviderFactory();
        assertThat(factory.exampleConnectionStrings()).allMatch(factory::accepts);
        assertThat(factory.accepts("jdbc:postgresql://localhost/db")).isFalse();
        assertThat(factory.settingsPrefix()).isEqualTo("taskhub.sqlite.");
    }

    @Test
    void memoryDatabases_missingFolders_andBadSettings_areRefusedWithTheReason() {
        SqliteStorageProviderFactory factory = new SqliteStorageProviderFactory();
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("jdbc:sqlite::memory:", "Hub")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("in-memory provider");
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("jdbc:sqlite:target/no-such-folder/hub.db", "Hub")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("no-such-folder").hasMessageContaining("does not exist");
        assertThatThrownBy(() -> factory.create(new ProviderConfig("jdbc:sqlite:target/hub.db", "Hub",
                Map.of("taskhub.sqlite.pollInterval", "PT0S")))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("taskhub.sqlite.pollInterval");
    }
}

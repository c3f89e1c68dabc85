package dev.taskhub.config;

import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigurationTest {
    @Test
    void connectionSetting_isReadFromTheEnvironmentBeforeTheProperties(@TempDir Path dir) throws Exception {
        Path props = dir.resolve("taskhub.properties");
        Files.writeString(props, "AzureWebJobsStorage=jdbc:postgresql://fromfile/db\nMyConn=inmemory\ntaskhub.hubName=FileHub\n"
                + "taskhub.postgres.poolSize=4\n");
        TaskHubConfiguration fromFile = TaskHubConfiguration.load(props, Map.of());
        assertThat(fromFile.connectionString(null)).contains("jdbc:postgresql://fromfile/db");
        assertThat(fromFile.connectionString("MyConn")).contains("inmemory");
        assertThat(fromFile.taskHubName(null)).isEqualTo("FileHub");
        assertThat(fromFile.taskHubName("Explicit")).isEqualTo("Explicit");
        assertThat(fromFile.providerSettings()).containsEntry("taskhub.postgres.poolSize", "4");

        TaskHubConfiguration withEnv = TaskHubConfiguration.load(props, Map.of("AzureWebJobsStorage", "UseDevelopmentStorage=true",
                "TASKHUB_POSTGRES_POOLSIZE", "9"));
        assertThat(withEnv.connectionString(null)).contains("UseDevelopmentStorage=true");
        assertThat(withEnv.providerSettings()).containsEntry("taskhub.postgres.poolsize", "9");
    }

    @Test
    void missingSetting_selectsTheDefaultHubAndNoConnectionString(@TempDir Path dir) {
        TaskHubConfiguration empty = TaskHubConfiguration.load(dir.resolve("absent.properties"), Map.of());
        assertThat(empty.connectionString(null)).isEmpty();
        assertThat(empty.taskHubName(null)).isEqualTo("DurableFunctionsHub");
    }

    @Test
    void unknownProviderName_andUnacceptedConnectionString_failWithTheAvailableProviders() {
        assertThatThrownBy(() -> StorageProviders.select("cassandra", null)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No storage provider named 'cassandra'");
        assertThatThrownBy(() -> StorageProviders.select(null, "mongodb://user:secret@host/db")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No storage provider accepts").hasMessageNotContaining("secret");
    }

    @Test
    void providerSettings_matchTheEnvironmentSpelling_dashesAndUnderscoresAsDots() {
        TaskHubConfiguration env = TaskHubConfiguration.load(Path.of("absent.properties"),
                Map.of("TASKHUB_MY_STORE_POOLSIZE", "3", "TASKHUB_POSTGRES_POOLSIZE", "9"));
        ProviderConfig config = env.providerConfig(null, "Hub");
        assertThat(config.setting("taskhub.my-store.poolSize")).contains("3");
        assertThat(config.setting("taskhub.postgres.poolSize")).contains("9");
        ProviderConfig exact = new ProviderConfig("", "Hub", Map.of("taskhub.my-store.poolSize", "1", "taskhub.my.store.poolsize", "2"));
        assertThat(exact.setting("taskhub.my-store.poolSize")).contains("1");
        assertThat(exact.setting("taskhub.other.poolSize")).isEmpty();
    }

    @Test
    void secrets_areMaskedInConnectionStrings() {
        assertThat(StorageProviders.mask("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc123==;EndpointSuffix=x"))
                .contains("AccountKey=***").doesNotContain("abc123");
        assertThat(StorageProviders.mask("postgresql://user:pa55@host/db")).isEqualTo("postgresql://user:***@host/db");
        assertThat(StorageProviders.mask("jdbc:postgresql://h/db?user=u&password=pa55")).doesNotContain("pa55");
    }

    @Test
    void providerSettings_parseWithClearErrors() {
        ProviderConfig config = new ProviderConfig("", "Hub", Map.of("a", "12", "d", "PT2S", "m", "250", "bad", "x"));
        assertThat(config.intSetting("a", 1)).isEqualTo(12);
        assertThat(config.intSetting("missing", 7)).isEqualTo(7);
        assertThat(config.durationSetting("d", Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.durationSetting("m", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThatThrownBy(() -> config.intSetting("bad", 1)).isInstanceOf(ConfigurationException.class).hasMessageContaining("'bad'");
        assertThatThrownBy(() -> config.durationSetting("bad", Duration.ZERO)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> ProviderConfig.of("", " ")).isInstanceOf(ConfigurationException.class);
    }
}

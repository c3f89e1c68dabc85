package dev.taskhub.provider.azurestorage;

import dev.taskhub.ConfigurationException;
import dev.taskhub.config.StorageProviders;
import dev.taskhub.config.TaskHubConfiguration;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProviderFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connection strings, hub names and settings: no storage needed. */
class AzureConfigurationTest {
    private static final String KEY = "c2VjcmV0LWtleS12YWx1ZS1zaG91bGQtbm90LWxlYWs=";
    private final AzureStorageProviderFactory factory = new AzureStorageProviderFactory();

    @Test
    void factory_isRegisteredAndSelectedByConnectionString() {
        assertThat(StorageProviders.available()).extracting(StorageProviderFactory::name).contains("azure-storage");
        assertThat(StorageProviders.select(null, "UseDevelopmentStorage=true").name()).isEqualTo("azure-storage");
        assertThat(StorageProviders.select(null, "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + KEY
                + ";EndpointSuffix=core.windows.net").name()).isEqualTo("azure-storage");
    }

    @Test
    void accepts_azureStringsOnly() {
        assertThat(factory.accepts("UseDevelopmentStorage=true")).isTrue();
        assertThat(factory.accepts("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;")).isTrue();
        assertThat(factory.accepts("jdbc:postgresql://localhost/test")).isFalse();
        assertThat(factory.accepts("inmemory")).isFalse();
        assertThat(factory.accepts("")).isFalse();
    }

    @Test
    void malformedConnectionString_namesTheProblemAndMasksTheKey() {
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("DefaultEndpointsProtocol=https;AccountKey=" + KEY, "Hub1")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("AccountName is missing")
                .hasMessageContaining("AccountKey=***")
                .hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=not base64!", "Hub1")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("not valid base64")
                .hasMessageNotContaining("not base64!");
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=" + KEY, "Hub1")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("DefaultEndpointsProtocol");
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + KEY
                + ";BlobEndpoint=not a url", "Hub1")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("blobendpoint").hasMessageNotContaining(KEY);
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("UseDevelopmentStorage=false", "Hub1")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("UseDevelopmentStorage");
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("AccountName=acct;AccountKey", "Hub1")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("Key=Value");
    }

    @Test
    void validConnectionString_derivesEndpoints() {
        AzureConnection c = AzureConnection.parse("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + KEY + ";EndpointSuffix=core.windows.net");
        assertThat(c.blobEndpoint()).isEqualTo("https://acct.blob.core.windows.net");
        assertThat(c.queueEndpoint()).isEqualTo("https://acct.queue.core.windows.net");
        assertThat(c.tableEndpoint()).isEqualTo("https://acct.table.core.windows.net");
        assertThat(c.toString()).doesNotContain(KEY);
        AzureConnection dev = AzureConnection.parse("UseDevelopmentStorage=true");
        assertThat(dev.tableEndpoint()).isEqualTo("http://127.0.0.1:10002/devstoreaccount1");
    }

    @Test
    void hubNames_followDurableFunctionsLayout() {
        HubNames n = HubNames.of("MyHub", 4);
        assertThat(n.instancesTable()).isEqualTo("MyHubInstances");
        assertThat(n.historyTable()).isEqualTo("MyHubHistory");
        assertThat(n.controlQueues()).containsExactly("myhub-control-00", "myhub-control-01", "myhub-control-02", "myhub-control-03");
        assertThat(n.workItemQueue()).isEqualTo("myhub-workitems");
        assertThat(n.largeMessagesContainer()).isEqualTo("myhub-largemessages");
        assertThat(n.leasesContainer()).isEqualTo("myhub-leases");
        HubNames longest = HubNames.of("H" + "a".repeat(44), 16);
        assertThat(longest.largeMessagesContainer().length()).isLessThanOrEqualTo(63);
        assertThat(longest.instancesTable().length()).isLessThanOrEqualTo(63);
    }

    @Test
    void invalidHubNames_areRefusedWithASuggestion() {
        assertThatThrownBy(() -> HubNames.of("my-hub", 4)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'my-hub'").hasMessageContaining("letters and digits").hasMessageContaining("myhub");
        assertThatThrownBy(() -> HubNames.of("1hub", 4)).isInstanceOf(ConfigurationException.class).hasMessageContaining("starting with a letter");
        assertThatThrownBy(() -> HubNames.of("ab", 4)).isInstanceOf(ConfigurationException.class).hasMessageContaining("3 to 45");
        assertThatThrownBy(() -> HubNames.of("H" + "a".repeat(45), 4)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> factory.create(ProviderConfig.of("UseDevelopmentStorage=true", "bad_hub")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("bad_hub");
    }

    @Test
    void settings_areValidated() {
        assertThatThrownBy(() -> factory.create(new ProviderConfig("UseDevelopmentStorage=true", "Hub1",
                Map.of("taskhub.azure-storage.partitionCount", "0")))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("taskhub.azure-storage.partitionCount");
        assertThatThrownBy(() -> factory.create(new ProviderConfig("UseDevelopmentStorage=true", "Hub1",
                Map.of("taskhub.azure-storage.partitionLeaseDuration", "PT5S")))).isInstanceOf(ConfigurationException.class).hasMessageContaining("PT15S");
        assertThatThrownBy(() -> factory.create(new ProviderConfig("UseDevelopmentStorage=true", "Hub1",
                Map.of("taskhub.azure-storage.pollMinInterval", "PT2S", "taskhub.azure-storage.pollMaxInterval", "PT1S")))).isInstanceOf(ConfigurationException.class);
        AzureSettings s = AzureSettings.from(ProviderConfig.of("UseDevelopmentStorage=true", "Hub1"));
        assertThat(s.partitionCount()).isEqualTo(4);
        assertThat(s.partitionLease()).hasSeconds(30);
    }

    @Test
    void settings_liveUnderTheProviderName_andTheDeprecatedPrefixStillWorks() {
        assertThat(factory.settingsPrefix()).isEqualTo("taskhub.azure-storage.");
        assertThat(partitions(Map.of("taskhub.azure-storage.partitionCount", "8"))).isEqualTo(8);
        // Environment variables: TASKHUB_AZURE_STORAGE_PARTITIONCOUNT, and the old TASKHUB_AZURE_PARTITIONCOUNT.
        assertThat(partitions(TaskHubConfiguration.load(Path.of("absent.properties"),
                Map.of("TASKHUB_AZURE_STORAGE_PARTITIONCOUNT", "6")).providerConfig(null, "Hub1").settings())).isEqualTo(6);
        assertThat(partitions(TaskHubConfiguration.load(Path.of("absent.properties"),
                Map.of("TASKHUB_AZURE_PARTITIONCOUNT", "2")).providerConfig(null, "Hub1").settings())).isEqualTo(2);
        assertThat(partitions(Map.of("taskhub.azure.partitionCount", "3"))).isEqualTo(3);
        assertThat(partitions(Map.of("taskhub.azure.partitionCount", "3", "taskhub.azure-storage.partitionCount", "5"))).isEqualTo(5);
        assertThatThrownBy(() -> partitions(Map.of("taskhub.azure.partitionCount", "0"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("partitionCount");
        // The test fixtures' TASKHUB_AZURE_STORAGE_CONNECTION_STRING is not mistaken for a deprecated setting.
        assertThat(AzureSettings.withoutDeprecatedKeys(new ProviderConfig("UseDevelopmentStorage=true", "Hub1",
                Map.of("taskhub.azure.storage.connection.string", "x"))).settings()).hasSize(1);
    }

    private static int partitions(Map<String, String> settings) {
        return AzureSettings.from(new ProviderConfig("UseDevelopmentStorage=true", "Hub1", settings)).partitionCount();
    }

    @Test
    void factory_masksAccountKeysAndSignatures_andListsExamplesItAccepts() {
        assertThat(factory.maskSecrets("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + KEY + ";EndpointSuffix=x"))
                .isEqualTo("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=***;EndpointSuffix=x");
        assertThat(factory.maskSecrets("BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2024-01-01&sig=abcd"))
                .doesNotContain("2024-01-01").doesNotContain("abcd");
        assertThat(StorageProviders.mask("UseDevelopmentStorage=true;AccountKey=" + KEY)).doesNotContain(KEY);
        assertThat(factory.exampleConnectionStrings()).isNotEmpty().allMatch(factory::accepts);
    }

    @Test
    void partitionHash_isStableAndSpreads() {
        assertThat(Keys.partition("instance-1", 4)).isEqualTo(Keys.partition("instance-1", 4));
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            int p = Keys.partition("id-" + i, 4);
            assertThat(p).isBetween(0, 3);
            seen.add(p);
        }
        assertThat(seen).hasSize(4);
        // fixed expectation: the hash must not change between releases (it decides which queue holds an instance)
        assertThat(Keys.partition("abc", 16)).isEqualTo((int) (crc("abc") % 16));
    }

    private static long crc(String s) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return c.getValue();
    }

    @Test
    void tableKeys_escapeForbiddenCharactersAndKeepPrefixes() {
        assertThat(Keys.tableKey("a/b#c?d\\e%f")).isEqualTo("a%2Fb%23c%3Fd%5Ce%25f");
        assertThat(Keys.tableKey("plain-id")).isEqualTo("plain-id");
        assertThat(Keys.tableKey("a/b/c")).startsWith(Keys.tableKey("a/b"));
        assertThat(Keys.prefixUpperBound("abc")).isEqualTo("abd");
        assertThat(Keys.blobFolder("a/b")).isEqualTo("a%2Fb/");
    }

    @Test
    void odataFilter_coversTimeStatusAndPrefix() {
        String f = InstanceRepository.filter(java.time.Instant.parse("2026-01-01T00:00:00Z"), null,
                java.util.Set.of(dev.taskhub.RuntimeStatus.RUNNING), "job'1");
        assertThat(f).contains("CreatedTime ge datetime'2026-01-01T00:00:00.0000000Z'")
                .contains("RuntimeStatus eq 'Running'")
                .contains("PartitionKey ge 'job''1' and PartitionKey lt 'job''2'");
    }
}

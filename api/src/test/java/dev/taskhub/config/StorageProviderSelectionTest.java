package dev.taskhub.config;

import dev.taskhub.ConfigurationException;
import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;
import dev.taskhub.spi.support.Secrets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Selection among factories that describe themselves; the core knows none of them by name. */
class StorageProviderSelectionTest {
    /** A factory that only answers the selection questions. */
    private record Described(String name, Predicate<String> acceptance, List<String> exampleConnectionStrings)
            implements StorageProviderFactory {
        @Override
        public boolean accepts(String connectionString) {
            return acceptance.test(connectionString);
        }

        @Override
        public StorageProvider create(ProviderConfig config) {
            throw new UnsupportedOperationException("selection only");
        }

        @Override
        public String maskSecrets(String text) {
            return Secrets.mask(text, List.of("token"));
        }
    }

    private static final StorageProviderFactory MEMORY = new Described("memo", cs -> cs.isEmpty() || cs.equals("memo"), List.of("memo"));
    private static final StorageProviderFactory FILES = new Described("files", cs -> cs.startsWith("file:"), List.of("file:<folder>"));
    private static final StorageProviderFactory GREEDY = new Described("greedy", cs -> cs.startsWith("file:") || cs.startsWith("x:"), List.of());
    private static final List<StorageProviderFactory> BOTH = List.of(MEMORY, FILES);

    @Test
    void aFactoryWithoutExamples_isListedByName() {
        assertThatThrownBy(() -> StorageProviders.select(List.of(GREEDY, FILES), null, "y:z"))
                .hasMessageContaining("Use one of: files ('file:<folder>'), greedy.");
    }

    @Test
    void emptyOrMissingConnectionString_selectsTheFactoryThatAcceptsIt() {
        assertThat(StorageProviders.select(BOTH, null, null)).isSameAs(MEMORY);
        assertThat(StorageProviders.select(BOTH, null, "  ")).isSameAs(MEMORY);
        assertThat(StorageProviders.select(BOTH, null, " file:/data ")).isSameAs(FILES);
    }

    @Test
    void explicitName_winsOverTheConnectionString_ignoringCase() {
        assertThat(StorageProviders.select(BOTH, "FILES", "")).isSameAs(FILES);
        assertThatThrownBy(() -> StorageProviders.select(BOTH, "cassandra", "memo")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No storage provider named 'cassandra'").hasMessageContaining("files, memo");
    }

    @Test
    void unacceptedConnectionString_listsWhatEachFactoryAccepts_withTheSecretMasked() {
        assertThatThrownBy(() -> StorageProviders.select(BOTH, null, "mongodb://app:s3cret@host/db?password=s3cret"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No storage provider accepts the connection string 'mongodb://app:***@host/db?password=***'")
                .hasMessageContaining("Use one of: files ('file:<folder>'), memo (the default when no connection string "
                        + "is set or 'memo').")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void noDefaultFactory_saysThatNoConnectionStringIsSet() {
        assertThatThrownBy(() -> StorageProviders.select(List.of(FILES), null, ""))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("No connection string is set").hasMessageContaining("file:<folder>");
        assertThatThrownBy(() -> StorageProviders.select(List.of(), null, "file:/x"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("add a provider's jar");
    }

    @Test
    void severalAcceptingFactories_areNamed_andNoneIsChosen() {
        assertThatThrownBy(() -> StorageProviders.select(List.of(MEMORY, FILES, GREEDY), null, "file:/x"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("Several storage providers accept the connection string: files, greedy")
                .hasMessageContaining("Choose one by name");
        assertThat(StorageProviders.select(List.of(MEMORY, FILES, GREEDY), "greedy", "file:/x")).isSameAs(GREEDY);
    }
}

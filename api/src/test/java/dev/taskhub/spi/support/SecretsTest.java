package dev.taskhub.spi.support;

import dev.taskhub.spi.ProviderConfig;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.StorageProviderFactory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest {
    @Test
    void commonKeys_areMaskedWhereverTheyAppear() {
        assertThat(Secrets.mask("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc123==;EndpointSuffix=x"))
                .isEqualTo("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=***;EndpointSuffix=x");
        assertThat(Secrets.mask("jdbc:postgresql://h/db?user=u&password=pa55&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
        assertThat(Secrets.mask("BlobEndpoint=https://a.blob;SharedAccessSignature=sv=2024&sig=s1gn4ture"))
                .doesNotContain("s1gn4ture").doesNotContain("sv=2024");
        assertThat(Secrets.mask("jdbc:x://h/db;PWD=Hunter2;sslPassword=k3y")).doesNotContain("Hunter2").doesNotContain("k3y");
    }

    @Test
    void urlPasswords_areMasked_butNotTheUser() {
        assertThat(Secrets.mask("postgresql://user:pa55@host/db")).isEqualTo("postgresql://user:***@host/db");
        assertThat(Secrets.mask("FATAL: cannot connect to mydb://:t0ken@host:1234/x, giving up"))
                .isEqualTo("FATAL: cannot connect to mydb://:***@host:1234/x, giving up");
        assertThat(Secrets.mask("postgresql://user@host/db")).isEqualTo("postgresql://user@host/db");
    }

    @Test
    void onlyTheGivenKeys_areMasked_andNullBecomesEmpty() {
        assertThat(Secrets.mask("AccountKey=k;password=p", List.of("password"))).isEqualTo("AccountKey=k;password=***");
        assertThat(Secrets.mask("a.b=c;token=t", List.of())).isEqualTo("a.b=c;token=t");
        assertThat(Secrets.mask(null)).isEmpty();
        assertThat(Secrets.mask("inmemory")).isEqualTo("inmemory");
    }

    @Test
    void factoryDefaults_maskTheCommonKeys_andNameTheSettingsPrefix() {
        StorageProviderFactory factory = new StorageProviderFactory() {
            @Override
            public String name() {
                return "mydb";
            }

            @Override
            public boolean accepts(String connectionString) {
                return connectionString.startsWith("mydb:");
            }

            @Override
            public StorageProvider create(ProviderConfig config) {
                throw new UnsupportedOperationException("not used by this test");
            }
        };
        assertThat(factory.settingsPrefix()).isEqualTo("taskhub.mydb.");
        assertThat(factory.maskSecrets("mydb://app:s3cret@host/db?password=s3cret")).doesNotContain("s3cret");
        assertThat(factory.exampleConnectionStrings()).isEmpty();
    }
}

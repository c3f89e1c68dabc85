package dev.taskhub.spring.boot;

import dev.taskhub.ConfigurationException;
import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.convert.JsonDataConverter;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.TaskModule;
import dev.taskhub.worker.WorkerOptions;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;

/**
 * Auto-configures Taskhub from the {@code taskhub.*} properties ({@link TaskhubProperties}): the
 * {@link StorageProvider} (closed with the context), a {@link TaskHubClient}, and unless
 * {@code taskhub.worker.enabled=false} a {@link TaskHubWorker} running every {@code Orchestrator}, {@code Activity}
 * and {@code TaskModule} bean, started and stopped by {@link TaskhubWorkerLifecycle}. Each bean backs off when the
 * application defines its own. Runs after Spring Boot's DataSource auto-configuration, so that the PostgreSQL
 * provider can take the application's {@code DataSource}.
 *
 * <p>Extension points: {@link TaskhubWorkerCustomizer}, {@link TaskhubWorkerOptionsCustomizer} and
 * {@link TaskhubClientCustomizer} beans, and a {@link DataConverter} bean used by both client and worker.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")
@EnableConfigurationProperties(TaskhubProperties.class)
@Import(TaskhubHttpConfiguration.class)
public class TaskhubAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    StorageProvider taskhubStorageProvider(TaskhubProperties properties, ObjectProvider<DataSource> dataSource) {
        return TaskhubStorage.open(properties, dataSource.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean
    TaskHubClient taskHubClient(TaskhubProperties properties, StorageProvider provider, ObjectProvider<DataConverter> dataConverter,
                                ObjectProvider<TaskhubClientCustomizer> customizers, ResourceLoader resourceLoader) {
        HttpManagementOptions.Builder http = HttpManagementOptions.builder().taskHub(provider.taskHubName());
        TaskhubProperties.Http served = properties.getHttp();
        if (served.isEnabled() && !ClassUtils.isPresent("dev.taskhub.http.ManagementServer", resourceLoader.getClassLoader())) {
            throw new ConfigurationException("taskhub.http.enabled=true, but the HTTP management API is not on the class "
                    + "path: add the dependency dev.taskhub:taskhub-http, or remove the property.");
        }
        if (served.isEnabled()) {
            // the management URLs the client hands out point at the API this application serves
            String base = served.getPublicBaseUrl() != null && !served.getPublicBaseUrl().isBlank() ? served.getPublicBaseUrl()
                    : served.getPort() != 0 ? "http://" + localHost(served.getHost()) + ":" + served.getPort() : null;
            if (base != null) {
                http.baseUrl((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + served.getBasePath());
            }
            http.systemKey(served.isDisableAuthentication() ? null : served.getKey());
        }
        TaskhubClientBuilder builder = new TaskhubClientBuilder(provider,
                dataConverter.getIfUnique(() -> JsonDataConverter.DEFAULT), http.build());
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder.build();
    }

    private static String localHost(String host) {
        return host.equals("0.0.0.0") ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
    }

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "taskhub.worker", name = "enabled", havingValue = "true", matchIfMissing = true)
    TaskHubWorker taskHubWorker(TaskhubProperties properties, StorageProvider provider, ListableBeanFactory beans,
                                ObjectProvider<DataConverter> dataConverter, ObjectProvider<TaskModule> modules,
                                ObjectProvider<TaskhubWorkerOptionsCustomizer> optionsCustomizers,
                                ObjectProvider<TaskhubWorkerCustomizer> customizers) {
        WorkerOptions options = TaskhubWorkerFactory.options(properties.getWorker(), dataConverter.getIfUnique(),
                optionsCustomizers.orderedStream().toList());
        return TaskhubWorkerFactory.builder(provider, options, properties.getWorker(), beans, modules.orderedStream().toList(),
                customizers.orderedStream().toList()).build();
    }

    @Bean
    @ConditionalOnBean(TaskHubWorker.class)
    @ConditionalOnMissingBean
    TaskhubWorkerLifecycle taskhubWorkerLifecycle(TaskHubWorker worker) {
        return new TaskhubWorkerLifecycle(worker);
    }
}

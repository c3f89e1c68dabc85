package dev.taskhub.spring.boot;

import dev.taskhub.ConfigurationException;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import dev.taskhub.worker.TaskHubWorker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The HTTP management API and dashboard ({@link ManagementServer}, from taskhub-http) on a port of their own, when
 * {@code taskhub.http.enabled=true}. The key comes from {@code taskhub.http.key} and is never logged.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "dev.taskhub.http.ManagementServer")
@ConditionalOnProperty(prefix = "taskhub.http", name = "enabled", havingValue = "true")
class TaskhubHttpConfiguration {
    private static final Logger log = LoggerFactory.getLogger(TaskhubHttpConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    ManagementServer taskhubManagementServer(TaskhubProperties properties, TaskHubClient client, ObjectProvider<TaskHubWorker> worker) {
        TaskhubProperties.Http http = properties.getHttp();
        boolean hasKey = http.getKey() != null && !http.getKey().isBlank();
        if (!hasKey && !http.isDisableAuthentication()) {
            throw new ConfigurationException("taskhub.http.enabled=true needs taskhub.http.key: the secret every management "
                    + "call presents (x-functions-key header or code parameter). Set it, e.g. from an environment variable "
                    + "TASKHUB_HTTP_KEY, or set taskhub.http.disable-authentication=true for local development only.");
        }
        if (hasKey && http.isDisableAuthentication()) {
            throw new ConfigurationException("Set either taskhub.http.key or taskhub.http.disable-authentication=true, not both.");
        }
        ManagementServer.Builder builder = ManagementServer.builder(client).host(http.getHost()).port(http.getPort())
                .basePath(http.getBasePath());
        if (hasKey) {
            builder.systemKey(http.getKey());
        } else {
            builder.disableAuthentication();
        }
        if (http.getPublicBaseUrl() != null && !http.getPublicBaseUrl().isBlank()) {
            builder.publicBaseUrl(http.getPublicBaseUrl());
        }
        TaskHubWorker w = worker.getIfAvailable();
        if (w != null) {
            // starts of orchestrators this application does not run are refused with a 400
            builder.registry(w.registry());
        }
        return builder.build();
    }

    @Bean
    SmartLifecycle taskhubManagementServerLifecycle(ManagementServer server) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                server.start();
                running = true;
                log.info("Taskhub HTTP management API and dashboard at {}", server.baseUrl());
            }

            @Override
            public void stop() {
                running = false;
                server.close();
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                // stops before the worker, starts after it
                return TaskhubWorkerLifecycle.PHASE + 1;
            }
        };
    }
}

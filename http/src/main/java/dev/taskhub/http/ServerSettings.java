package dev.taskhub.http;

import dev.taskhub.client.TaskHubClient;
import dev.taskhub.worker.TaskRegistry;

import java.time.Duration;
import java.util.List;

/**
 * Everything the routes need, fixed when the server is built.
 *
 * @param client          the client of the served task hub
 * @param registry        orchestrators that may be started; null accepts any name
 * @param systemKey       the key every management call must carry; null when authentication is disabled
 * @param prefixes        route prefixes, the first is the primary one
 * @param connectionName  the connection setting name carried in management URLs
 * @param publicBaseUrl   scheme://host[:port] for management URLs; null to take it from each request
 * @param maxBodyBytes    largest accepted request body
 * @param retryAfter      the Retry-After value of 202 responses
 */
record ServerSettings(TaskHubClient client, TaskRegistry registry, String systemKey, List<String> prefixes,
                      String connectionName, String publicBaseUrl, long maxBodyBytes, Duration retryAfter) {
    String taskHubName() {
        return client.provider().taskHubName();
    }
}

package dev.taskhub.client;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.http.ManagementRoute;

/**
 * Where the HTTP management API is served, used to build {@link HttpManagementPayload}s.
 *
 * @param baseUrl        e.g. {@code http://127.0.0.1:7071/runtime/webhooks/durabletask}
 * @param taskHub        task hub name carried in every URL
 * @param connectionName the connection string setting name (default {@code AzureWebJobsStorage})
 * @param systemKey      the key carried as {@code code}; may be null when keys are disabled
 */
public record HttpManagementOptions(String baseUrl, String taskHub, String connectionName, String systemKey) {
    /** {@code http://127.0.0.1:7071} and the default base path, where {@code taskhub serve} listens by default. */
    public static final String DEFAULT_BASE_URL = "http://127.0.0.1:7071" + ManagementRoute.DEFAULT_BASE_PATH;

    public HttpManagementOptions {
        if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
            throw new InvalidRequestException("The management base URL must start with http:// or https://, got '" + baseUrl + "'.");
        }
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        connectionName = connectionName == null ? "AzureWebJobsStorage" : connectionName;
    }
}

package dev.taskhub.client;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.client.http.ManagementRoute;

/**
 * Where the HTTP management API is served, used to build {@link HttpManagementPayload}s. Immutable; build with
 * {@link #builder()}.
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

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them. */
    public Builder toBuilder() {
        return new Builder().baseUrl(baseUrl).taskHub(taskHub).connectionName(connectionName).systemKey(systemKey);
    }

    /** Builder for {@link HttpManagementOptions}; {@link #build()} validates. */
    public static final class Builder {
        private String baseUrl = DEFAULT_BASE_URL;
        private String taskHub;
        private String connectionName = "AzureWebJobsStorage";
        private String systemKey;

        private Builder() {
        }

        /** The base URL of the management API; default {@link #DEFAULT_BASE_URL}. */
        public Builder baseUrl(String value) { this.baseUrl = value; return this; }

        /** The task hub name carried in every URL. */
        public Builder taskHub(String value) { this.taskHub = value; return this; }

        /** The connection string setting name; null means {@code AzureWebJobsStorage}. */
        public Builder connectionName(String value) { this.connectionName = value; return this; }

        /** The key carried as {@code code}; null when keys are disabled. */
        public Builder systemKey(String value) { this.systemKey = value; return this; }

        /** The options; throws {@link InvalidRequestException} when the base URL is not an http(s) URL. */
        public HttpManagementOptions build() {
            return new HttpManagementOptions(baseUrl, taskHub, connectionName, systemKey);
        }
    }
}

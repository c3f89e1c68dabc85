package dev.taskhub.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code taskhub.*} properties of a Spring Boot application. Provider selection works as everywhere in Taskhub
 * ({@link dev.taskhub.config.StorageProviders}): an explicit {@code provider} name, else the one provider that accepts
 * the {@code connection-string}, else the in-memory default; with neither set and a PostgreSQL {@code DataSource} in
 * the context, that data source. Unset worker values keep {@link dev.taskhub.worker.WorkerOptions}' defaults.
 * See {@code docs/spring-boot.md} for the table.
 */
@ConfigurationProperties(prefix = "taskhub")
public class TaskhubProperties {
    /** The storage provider by name: inmemory, postgres, azure-storage, or a third-party provider's name. Unset: chosen by the connection string. */
    private String provider;

    /** The connection string, e.g. jdbc:postgresql://host:5432/db or UseDevelopmentStorage=true. Unset: the application's PostgreSQL DataSource if there is one, else in memory. */
    private String connectionString;

    /** The task hub: the namespace of this application's instances inside the store. */
    private String hubName = "DurableFunctionsHub";

    /** Whether to create the task hub's tables, queues or containers at start-up (idempotent). */
    private boolean createHub = true;

    /** Whether the PostgreSQL provider may take its connections from the application's DataSource when no connection string is set. */
    private boolean useDataSource = true;

    /** PostgreSQL provider settings, e.g. taskhub.postgres.schema=orders (see docs/postgres.md). */
    private Map<String, String> postgres = new LinkedHashMap<>();

    /** Azure Storage provider settings, e.g. taskhub.azure-storage.partition-count=4 (see docs/azure-storage.md). */
    private Map<String, String> azureStorage = new LinkedHashMap<>();

    /** Further provider settings under their full names, e.g. taskhub.settings.[taskhub.mydb.timeout]=PT5S, for third-party providers. */
    private Map<String, String> settings = new LinkedHashMap<>();

    private final Worker worker = new Worker();
    private final Http http = new Http();
    private final Health health = new Health();
    private final Metrics metrics = new Metrics();
    private final Tracing tracing = new Tracing();

    public String getProvider() { return provider; }

    public void setProvider(String provider) { this.provider = provider; }

    public String getConnectionString() { return connectionString; }

    public void setConnectionString(String connectionString) { this.connectionString = connectionString; }

    public String getHubName() { return hubName; }

    public void setHubName(String hubName) { this.hubName = hubName; }

    public boolean isCreateHub() { return createHub; }

    public void setCreateHub(boolean createHub) { this.createHub = createHub; }

    public boolean isUseDataSource() { return useDataSource; }

    public void setUseDataSource(boolean useDataSource) { this.useDataSource = useDataSource; }

    public Map<String, String> getPostgres() { return postgres; }

    public void setPostgres(Map<String, String> postgres) { this.postgres = postgres; }

    public Map<String, String> getAzureStorage() { return azureStorage; }

    public void setAzureStorage(Map<String, String> azureStorage) { this.azureStorage = azureStorage; }

    public Map<String, String> getSettings() { return settings; }

    public void setSettings(Map<String, String> settings) { this.settings = settings; }

    public Worker getWorker() { return worker; }

    public Http getHttp() { return http; }

    public Health getHealth() { return health; }

    public Metrics getMetrics() { return metrics; }

    public Tracing getTracing() { return tracing; }

    /** {@code taskhub.worker.*}: the worker that runs this application's orchestrators and activities. */
    public static class Worker {
        /** Whether this application runs a worker; false for an application that only starts and queries instances. */
        private boolean enabled = true;

        /** Whether to register the TaskModules found on the class path (META-INF/services) besides the beans. */
        private boolean modulesFromClassPath = false;

        /** Threads running orchestration episodes. Default: the number of processors, at least 2. */
        private Integer orchestrationConcurrency;

        /** Instances locked and checkpointed per round trip. Default 128. */
        private Integer orchestrationBatchSize;

        /** Activities running at once. Default 64. */
        private Integer activityConcurrency;

        /** Activity messages locked per round trip. Default 32. */
        private Integer activityBatchSize;

        /** Lease of a work item lock, renewed while the work runs. Default 30s. */
        private Duration lockLease;

        /** How long one lock call waits for work. Default 500ms. */
        private Duration pollWait;

        /** Deliveries after which a message is dead-lettered. Default 10. */
        private Integer maxDeliveryCount;

        /** Instances whose history is kept in memory between episodes. Default 10000. */
        private Integer historyCacheSize;

        /** How long shutdown waits for running activities before it releases them to another worker. Default 10s. */
        private Duration shutdownTimeout;

        /** Whether this worker runs activities; false for a worker pool that runs only orchestrators. Default true. */
        private Boolean processActivities;

        /** How often the worker enforces the hub's retention policies; 0 turns it off. Default 1m. */
        private Duration retentionInterval;

        /** The most instances one retention pass purges per policy. Default 1000. */
        private Integer retentionBatchSize;

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public boolean isModulesFromClassPath() { return modulesFromClassPath; }

        public void setModulesFromClassPath(boolean modulesFromClassPath) { this.modulesFromClassPath = modulesFromClassPath; }

        public Integer getOrchestrationConcurrency() { return orchestrationConcurrency; }

        public void setOrchestrationConcurrency(Integer value) { this.orchestrationConcurrency = value; }

        public Integer getOrchestrationBatchSize() { return orchestrationBatchSize; }

        public void setOrchestrationBatchSize(Integer value) { this.orchestrationBatchSize = value; }

        public Integer getActivityConcurrency() { return activityConcurrency; }

        public void setActivityConcurrency(Integer value) { this.activityConcurrency = value; }

        public Integer getActivityBatchSize() { return activityBatchSize; }

        public void setActivityBatchSize(Integer value) { this.activityBatchSize = value; }

        public Duration getLockLease() { return lockLease; }

        public void setLockLease(Duration value) { this.lockLease = value; }

        public Duration getPollWait() { return pollWait; }

        public void setPollWait(Duration value) { this.pollWait = value; }

        public Integer getMaxDeliveryCount() { return maxDeliveryCount; }

        public void setMaxDeliveryCount(Integer value) { this.maxDeliveryCount = value; }

        public Integer getHistoryCacheSize() { return historyCacheSize; }

        public void setHistoryCacheSize(Integer value) { this.historyCacheSize = value; }

        public Duration getShutdownTimeout() { return shutdownTimeout; }

        public void setShutdownTimeout(Duration value) { this.shutdownTimeout = value; }

        public Boolean getProcessActivities() { return processActivities; }

        public void setProcessActivities(Boolean value) { this.processActivities = value; }

        public Duration getRetentionInterval() { return retentionInterval; }

        public void setRetentionInterval(Duration value) { this.retentionInterval = value; }

        public Integer getRetentionBatchSize() { return retentionBatchSize; }

        public void setRetentionBatchSize(Integer value) { this.retentionBatchSize = value; }
    }

    /** {@code taskhub.http.*}: Durable Functions' HTTP management API and the dashboard, on a port of their own (needs taskhub-http). */
    public static class Http {
        /** Whether to serve the HTTP management API and dashboard. */
        private boolean enabled = false;

        /** The address to bind; 127.0.0.1 serves this machine only, 0.0.0.0 every interface. */
        private String host = "127.0.0.1";

        /** The port; 0 picks a free one. */
        private int port = 7071;

        /** The system key every call presents (x-functions-key header or code parameter). Required unless authentication is disabled; never logged. */
        private String key;

        /** Serve without a key: for local development only. */
        private boolean disableAuthentication = false;

        /** The primary route prefix. */
        private String basePath = "/runtime/webhooks/durabletask";

        /** scheme://host[:port] for management URLs when the API sits behind a proxy. Default: the request's. */
        private String publicBaseUrl;

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public String getHost() { return host; }

        public void setHost(String host) { this.host = host; }

        public int getPort() { return port; }

        public void setPort(int port) { this.port = port; }

        public String getKey() { return key; }

        public void setKey(String key) { this.key = key; }

        public boolean isDisableAuthentication() { return disableAuthentication; }

        public void setDisableAuthentication(boolean value) { this.disableAuthentication = value; }

        public String getBasePath() { return basePath; }

        public void setBasePath(String basePath) { this.basePath = basePath; }

        public String getPublicBaseUrl() { return publicBaseUrl; }

        public void setPublicBaseUrl(String publicBaseUrl) { this.publicBaseUrl = publicBaseUrl; }
    }

    /** {@code taskhub.health.*}: the Actuator health indicator. */
    public static class Health {
        /** How long an instance may wait in Pending (no worker picking it up) before the hub counts as degraded. */
        private Duration pendingThreshold = Duration.ofMinutes(5);

        /** Whether a degraded hub (stuck instances, quarantined messages, slow storage) reports DOWN instead of UP with details. */
        private boolean degradedIsDown = false;

        public Duration getPendingThreshold() { return pendingThreshold; }

        public void setPendingThreshold(Duration value) { this.pendingThreshold = value; }

        public boolean isDegradedIsDown() { return degradedIsDown; }

        public void setDegradedIsDown(boolean value) { this.degradedIsDown = value; }
    }

    /** {@code taskhub.metrics.*}: Micrometer meters, when taskhub-micrometer is on the class path and a MeterRegistry bean exists. */
    public static class Metrics {
        /** Whether to record the worker's meters and the instances-by-status gauges in the application's MeterRegistry. */
        private boolean enabled = true;

        /** How often the taskhub.instances gauges re-read the instance counts from storage (at least 1s). */
        private Duration instanceCountsInterval = Duration.ofSeconds(30);

        /** Whether the timers publish histogram buckets (_bucket series for histogram_quantile). */
        private boolean percentileHistograms = false;

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public Duration getInstanceCountsInterval() { return instanceCountsInterval; }

        public void setInstanceCountsInterval(Duration value) { this.instanceCountsInterval = value; }

        public boolean isPercentileHistograms() { return percentileHistograms; }

        public void setPercentileHistograms(boolean value) { this.percentileHistograms = value; }
    }

    /** {@code taskhub.tracing.*}: OpenTelemetry spans, when taskhub-opentelemetry is on the class path and an OpenTelemetry bean exists. */
    public static class Tracing {
        /** Whether the worker and the client emit spans through the application's OpenTelemetry. */
        private boolean enabled = true;
        /** Whether every committed episode is a span too ({@code orchestration:{name}:episode}). */
        private boolean episodeSpans;

        public boolean isEnabled() { return enabled; }

        public void setEnabled(boolean enabled) { this.enabled = enabled; }

        public boolean isEpisodeSpans() { return episodeSpans; }

        public void setEpisodeSpans(boolean episodeSpans) { this.episodeSpans = episodeSpans; }
    }
}

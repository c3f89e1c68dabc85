package dev.taskhub.http;

import dev.taskhub.ConfigurationException;
import dev.taskhub.InstanceAlreadyExistsException;
import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.QuarantineRecordNotFoundException;
import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.StorageException;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.worker.TaskRegistry;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.router.ParsedEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Serves Durable Functions' HTTP management API for one task hub: start (and start-and-wait), status, list with
 * paging, raise event, terminate, suspend, resume, rewind, restart, purge, under
 * {@code /runtime/webhooks/durabletask} and the older {@code /admin/extensions/DurableTaskExtension}. The OpenAPI
 * document is at {@code <base path>/openapi.json}, a small dashboard at {@code /}.
 *
 * <p>Security: binds 127.0.0.1 unless told otherwise; every request requires the system key as the {@code code} query
 * parameter or the {@code x-functions-key} header (compared in constant time), except a GET or HEAD of exactly
 * {@code /} or {@code /dashboard/app.js} or {@code /dashboard/app.css} (the dashboard's static files, which load their
 * data with the key the user types) or
 * {@code <prefix>/openapi.json}, unless authentication was explicitly disabled with
 * {@link Builder#disableAuthentication()}. An optional read-only key ({@link Builder#readOnlyKey}) may call only the
 * read-only routes ({@link ManagementRoute#readOnly()}); every other route answers it with 403. Request bodies are limited (4 MiB by default, 413 beyond).
 *
 * <p>Lifecycle: build, {@link #start()}, {@link #close()}. The server does not own the client, its provider or any
 * worker. Thread-safe.
 */
public final class ManagementServer implements AutoCloseable {
    /** The route prefix of current Durable Functions versions ({@link ManagementRoute#DEFAULT_BASE_PATH}). */
    public static final String DEFAULT_BASE_PATH = ManagementRoute.DEFAULT_BASE_PATH;
    /** The route prefix of Durable Functions 1.x, served as well ({@link ManagementRoute#LEGACY_BASE_PATH}). */
    public static final String LEGACY_BASE_PATH = ManagementRoute.LEGACY_BASE_PATH;
    public static final int DEFAULT_PORT = 7071;
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final long DEFAULT_MAX_BODY_BYTES = 4L * 1024 * 1024;
    /** The header that carries the system key (the {@code code} query parameter works too). */
    public static final String KEY_HEADER = ManagementRoute.KEY_HEADER;

    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

    private final ServerSettings settings;
    private final String host;
    private final int requestedPort;
    private final KeyCheck keyCheck;
    /** The read-only key's check, or null when the server has none. */
    private final KeyCheck readOnlyKeyCheck;
    /** The only paths served without the key: the dashboard's static shell and the table's public routes (the OpenAPI documents). */
    private final Set<String> publicPaths;
    private final DashboardAssets dashboard;
    private Javalin app;

    private ManagementServer(Builder b) {
        List<String> prefixes = new ArrayList<>();
        prefixes.add(b.basePath);
        if (!b.basePath.equals(LEGACY_BASE_PATH)) {
            prefixes.add(LEGACY_BASE_PATH);
        }
        this.settings = new ServerSettings(b.client, b.registry, b.authDisabled ? null : b.systemKey, List.copyOf(prefixes),
                b.connectionName, b.publicBaseUrl, b.maxBodyBytes, b.retryAfter);
        this.readOnlyKeyCheck = b.readOnlyKey == null ? null : new KeyCheck(b.readOnlyKey);
        this.host = b.host;
        this.requestedPort = b.port;
        this.keyCheck = new KeyCheck(settings.systemKey());
        this.dashboard = new DashboardAssets(prefixes.get(0));
        Set<String> open = new HashSet<>(dashboard.paths());
        for (String prefix : prefixes) {
            for (ManagementRoute route : ManagementRoute.values()) {
                if (!route.requiresKey()) {
                    open.add(prefix + route.path());
                }
            }
        }
        this.publicPaths = Set.copyOf(open);
    }

    public static Builder builder(TaskHubClient client) {
        return new Builder(client);
    }

    /** A new random system key (32 random bytes, base64url). */
    public static String generateKey() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Starts listening. Fails with a {@link ConfigurationException} when the port cannot be bound. */
    public synchronized ManagementServer start() {
        if (app != null) {
            return this;
        }
        String openApi = resource("openapi.json").replace("${basePath}", settings.prefixes().get(0));
        ManagementRoutes routes = new ManagementRoutes(settings, openApi, this::authorized);
        Javalin created = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.jetty.host = host;
            config.jetty.port = requestedPort;
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.router.ignoreTrailingSlashes = true;
            // The path only: the query string may carry the system key.
            config.requestLogger.http((ctx, ms) -> log.debug("{} {} -> {} in {} ms", ctx.method(), ctx.path(), ctx.statusCode(),
                    Math.round(ms)));
            // Every request, whatever its path, passes the guard: only the exact public paths skip the key.
            config.routes.before(this::guard);
            dashboard.register(config.routes);
            for (String prefix : settings.prefixes()) {
                routes.register(config.routes, prefix);
            }
            config.routes.exception(Exception.class, this::handleException);
            config.routes.error(404, ctx -> fallback(ctx, "No such route: " + ctx.method() + " " + ctx.path()
                    + ". See " + settings.prefixes().get(0) + ManagementRoute.OPENAPI_DOCUMENT.path() + " for the routes."));
            config.routes.error(405, ctx -> fallback(ctx, "Method " + ctx.method() + " is not allowed on " + ctx.path() + "."));
        });
        // The router must send each public path to its own (data-free) handler and to nothing else.
        for (String path : publicPaths) {
            ParsedEndpoint target = created.unsafe.internalRouter.findFirstHttpHandlerEntry(HandlerType.GET, path);
            if (target == null || !target.endpoint.path.equals(path)) {
                throw new IllegalStateException("Public path " + path + " is routed to " + (target == null ? "nothing" : target.endpoint.path));
            }
        }
        try {
            created.start();
        } catch (RuntimeException e) {
            throw new ConfigurationException("Cannot serve HTTP on " + host + ":" + requestedPort + ": "
                    + rootMessage(e) + ". Choose another port or stop the process that uses it.", e);
        }
        app = created;
        log.info("HTTP management API for task hub '{}' listening on http://{}:{}{} (authentication {})",
                settings.taskHubName(), host, app.port(), settings.prefixes().get(0), keyCheck.enabled() ? "required" : "DISABLED");
        return this;
    }

    /** The port the server listens on (the chosen one when built with port 0). */
    public synchronized int port() {
        if (app == null) {
            throw new IllegalStateException("The server is not started.");
        }
        return app.port();
    }

    /** {@code http://host:port} + the primary base path, e.g. {@code http://127.0.0.1:7071/runtime/webhooks/durabletask}. */
    public String baseUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        if (h.equals("0.0.0.0")) {
            h = "127.0.0.1"; // listening everywhere: the local address reaches it
        } else if (h.equals("[::]") || h.equals("[0:0:0:0:0:0:0:0]")) {
            h = "[::1]";
        }
        return "http://" + h + ":" + port() + settings.prefixes().get(0);
    }

    /** A registered route: HTTP method and path template as the router holds them. */
    record Route(String method, String path) {}

    /** Every HTTP route the router holds (for tests that must cover all of them). */
    synchronized List<Route> routes() {
        if (app == null) {
            throw new IllegalStateException("The server is not started.");
        }
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .filter(h -> h.endpoint.method.isHttpMethod())
                .map(h -> new Route(h.endpoint.method.name(), h.endpoint.path))
                .toList();
    }

    /** Stops listening; requests in flight are completed. Idempotent. */
    @Override
    public synchronized void close() {
        if (app != null) {
            app.stop();
            app = null;
            log.info("HTTP management API stopped");
        }
    }

    // ---- request pipeline ----------------------------------------------------------------------------------------

    /**
     * Runs before every request. Only a GET or HEAD whose path is exactly one of the public paths skips the key. The
     * path compared is the request URI as received, the same string the router matches, so no spelling of a path
     * (suffix, trailing or doubled slash, percent-encoding, {@code ;} parameter, case) that the router sends to a
     * management handler can pass as public; such spellings of a public path just need the key too.
     */
    private void guard(Context ctx) {
        if ((HandlerType.GET.equals(ctx.method()) || HandlerType.HEAD.equals(ctx.method())) && publicPaths.contains(ctx.path())) {
            return;
        }
        Access access = access(ctx);
        if (access == Access.NONE) {
            throw new ApiException(401, "Unauthorized.");
        }
        ctx.attribute(ManagementRoutes.ACCESS, access);
        if (ctx.req().getContentLengthLong() > settings.maxBodyBytes()) {
            throw ManagementRoutes.tooLarge(settings.maxBodyBytes());
        }
    }

    /** Whether the request carries the system key or the read-only key, or none is required (see {@link #access}). */
    private boolean authorized(Context ctx) {
        return access(ctx) != Access.NONE;
    }

    /**
     * What the request's key (in the header or the {@code code} parameter) may do: everything with the system key or
     * when none is required, only the read-only routes with the read-only key, nothing otherwise. A request with a key
     * that names another task hub than the served one is refused with 404.
     */
    private Access access(Context ctx) {
        String presented = ctx.header(KEY_HEADER);
        if (presented == null) {
            presented = ctx.queryParam(ManagementRoute.KEY_PARAMETER);
        }
        Access access;
        if (keyCheck.accepts(presented)) {
            access = Access.FULL;
        } else if (readOnlyKeyCheck != null && readOnlyKeyCheck.accepts(presented)) {
            access = Access.READ_ONLY;
        } else {
            return Access.NONE;
        }
        String hub = ctx.queryParam(ManagementRoute.TASK_HUB_PARAMETER);
        if (hub != null && !hub.isBlank() && !hub.equalsIgnoreCase(settings.taskHubName())) {
            throw new ApiException(404, "Task hub '" + hub + "' is not served here; this server manages task hub '"
                    + settings.taskHubName() + "'.");
        }
        return access;
    }

    private void handleException(Exception e, Context ctx) {
        ManagementRoutes.discardBody(ctx);
        if (e instanceof ApiException api) {
            Json.error(ctx, api.status(), api.getMessage());
        } else if (e instanceof InvalidRequestException) {
            Json.error(ctx, 400, e.getMessage());
        } else if (e instanceof InstanceNotFoundException || e instanceof QuarantineRecordNotFoundException) {
            Json.error(ctx, 404, e.getMessage());
        } else if (e instanceof InstanceAlreadyExistsException) {
            Json.error(ctx, 409, e.getMessage());
        } else if (e instanceof InvalidInstanceStateException) {
            Json.error(ctx, 409, e.getMessage());
        } else if (e instanceof HttpResponseException h) {
            Json.error(ctx, h.getStatus(), h.getStatus() == 413
                    ? ManagementRoutes.tooLarge(settings.maxBodyBytes()).getMessage() : h.getMessage());
        } else if (storageFailure(e)) {
            // The details (addresses, database, user, SQL state, driver text) stay in the server log.
            String incident = UUID.randomUUID().toString();
            log.warn("Storage failure on {} {} (incident {})", ctx.method(), ctx.path(), incident, e);
            ctx.header("Retry-After", Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
            incident(ctx, 503, incident, "The task hub's storage is unavailable or failed (incident " + incident + "). "
                    + "Retry later; if it persists, give the incident id to the server's operator: the server log has the details.");
        } else {
            String incident = UUID.randomUUID().toString();
            log.error("Unexpected failure on {} {} (incident {})", ctx.method(), ctx.path(), incident, e);
            incident(ctx, 500, incident, "Internal server error (incident " + incident + "). Retry later; if it persists, "
                    + "give the incident id to the server's operator: the server log has the details.");
        }
    }

    /** A storage exception, or one caused by a storage exception. */
    private static boolean storageFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StorageException) {
                return true;
            }
        }
        return false;
    }

    private static void incident(Context ctx, int status, String incident, String message) {
        Json.write(ctx, status, WireFormat.error(message).put("incidentId", incident));
    }

    private static void fallback(Context ctx, String message) {
        if (ctx.attribute(Json.WRITTEN) == null) {
            Json.error(ctx, ctx.statusCode(), message);
        }
    }

    private static String resource(String name) {
        try (InputStream in = ManagementServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name + " in taskhub-http");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read resource " + name, e);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** Builder for {@link ManagementServer}; {@link #build()} validates. */
    public static final class Builder {
        private final TaskHubClient client;
        private TaskRegistry registry;
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String systemKey;
        private String readOnlyKey;
        private boolean authDisabled;
        private String basePath = DEFAULT_BASE_PATH;
        private String connectionName = "AzureWebJobsStorage";
        private String publicBaseUrl;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration retryAfter = Duration.ofSeconds(10);

        private Builder(TaskHubClient client) {
            this.client = Objects.requireNonNull(client, "client");
        }

        /** Orchestrators that may be started; a start of any other name is a 400. Without one any name is accepted. */
        public Builder registry(TaskRegistry value) { this.registry = value; return this; }

        /** The address to bind; default 127.0.0.1 (this machine only). */
        public Builder host(String value) { this.host = value; return this; }

        /** The port; 0 picks a free one. Default 7071. */
        public Builder port(int value) { this.port = value; return this; }

        /** The system key every management call must present. */
        public Builder systemKey(String value) { this.systemKey = value; return this; }

        /**
         * A second key that may call only the read-only routes ({@link ManagementRoute#readOnly()}: status, list,
         * history, counts, jobs, stuck instances, quarantine records, health, ...); any other route answers 403 for it.
         * For dashboards and people who look but must not act. Optional; never the same as the system key.
         */
        public Builder readOnlyKey(String value) { this.readOnlyKey = value; return this; }

        /** Serves without any key: for local development only. */
        public Builder disableAuthentication() { this.authDisabled = true; return this; }

        /** The primary route prefix; default {@value #DEFAULT_BASE_PATH}. */
        public Builder basePath(String value) { this.basePath = value; return this; }

        /** The connection setting name carried in management URLs (default {@code AzureWebJobsStorage}). */
        public Builder connectionName(String value) { this.connectionName = value; return this; }

        /** {@code scheme://host[:port]} for management URLs when the server sits behind a proxy; default: the request's. */
        public Builder publicBaseUrl(String value) { this.publicBaseUrl = value; return this; }

        /** The largest request body accepted (default 4 MiB); larger bodies get a 413. */
        public Builder maxRequestBodyBytes(long value) { this.maxBodyBytes = value; return this; }

        /** The {@code Retry-After} of 202 responses (default 10 s). */
        public Builder retryAfter(Duration value) { this.retryAfter = value; return this; }

        public ManagementServer build() {
            if (host == null || host.isBlank()) {
                throw new ConfigurationException("The host to bind must not be empty; use 127.0.0.1 or 0.0.0.0.");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigurationException("The port must be 0..65535, got " + port + ".");
            }
            if (authDisabled && systemKey != null) {
                throw new ConfigurationException("Give either a system key or disableAuthentication(), not both.");
            }
            if (!authDisabled && (systemKey == null || systemKey.isBlank())) {
                throw new ConfigurationException("The HTTP management API needs a system key (or authentication disabled "
                        + "explicitly for local development).");
            }
            if (readOnlyKey != null) {
                if (authDisabled) {
                    throw new ConfigurationException("A read-only key needs authentication: give a system key too, not "
                            + "disableAuthentication().");
                }
                if (readOnlyKey.isBlank()) {
                    throw new ConfigurationException("The read-only key must not be empty; leave it out to have none.");
                }
                if (readOnlyKey.equals(systemKey)) {
                    throw new ConfigurationException("The read-only key must differ from the system key, or the system key "
                            + "would be read-only.");
                }
            }
            if (basePath == null || !basePath.startsWith("/") || basePath.endsWith("/") || basePath.contains("{")) {
                throw new ConfigurationException("The base path must start with '/' and not end with one, e.g. "
                        + DEFAULT_BASE_PATH + "; got '" + basePath + "'.");
            }
            if (connectionName == null || connectionName.isBlank()) {
                throw new ConfigurationException("The connection name must not be empty.");
            }
            if (publicBaseUrl != null) {
                if (!publicBaseUrl.startsWith("http://") && !publicBaseUrl.startsWith("https://")) {
                    throw new ConfigurationException("The public base URL must start with http:// or https://, got '"
                            + publicBaseUrl + "'.");
                }
                publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
            }
            if (maxBodyBytes < 1024) {
                throw new ConfigurationException("The request body limit must be at least 1024 bytes, got " + maxBodyBytes + ".");
            }
            if (retryAfter == null || retryAfter.isNegative()) {
                throw new ConfigurationException("Retry-After must not be negative.");
            }
            return new ManagementServer(this);
        }
    }
}

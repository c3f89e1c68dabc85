package dev.taskhub.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.taskhub.InstanceNotFoundException;
import dev.taskhub.InvalidInstanceStateException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.convert.RawJson;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.HubHealth;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.NewOrchestrationOptions;
import dev.taskhub.history.TraceContext;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.retention.RetentionEnforcer;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.RetentionReport;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.jobs.BulkJob;
import dev.taskhub.jobs.BulkJobWireFormat;
import dev.taskhub.jobs.BulkJobRequest;
import dev.taskhub.jobs.BulkJobs;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The handlers of the management API: one per {@link ManagementRoute} of the route table, registered once per route
 * prefix by iterating the table.
 */
final class ManagementRoutes {
    /** The context attribute holding the table's route a request was routed to (see {@link Params}). */
    static final String ROUTE = "taskhub.route";
    /** The context attribute holding the request's {@link Access}, set by the server's guard (absent on public paths). */
    static final String ACCESS = "taskhub.access";
    private static final Pattern SAFE_HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");
    private static final long MAX_WAIT_SECONDS = 3600;

    private final ServerSettings settings;
    private final TaskHubClient client;
    private final String openApi;
    private final BulkJobs jobs;
    private final TransferRoutes transfer;
    private final StuckAndQuarantineRoutes operations;

    private final Predicate<Context> authorized;

    /**
     * {@code authorized} tells whether a request carries the system key, refusing one for another task hub as the
     * server's guard does (the health route, served without the key, shows its details only then).
     */
    ManagementRoutes(ServerSettings settings, String openApi, Predicate<Context> authorized) {
        this.authorized = authorized;
        this.settings = settings;
        this.client = settings.client();
        this.jobs = new BulkJobs(client);
        this.openApi = openApi;
        this.transfer = new TransferRoutes(client.provider());
        this.operations = new StuckAndQuarantineRoutes(client);
    }

    /** Registers every route of the table under the prefix, each with its own handler. */
    void register(RoutesConfig routes, String prefix) {
        for (ManagementRoute route : ManagementRoute.values()) {
            Handler handler = handler(route, prefix);
            routes.addHttpHandler(HandlerType.findOrCreate(route.method()), prefix + route.path(), ctx -> {
                ctx.attribute(ROUTE, route);
                if (!route.readOnly() && ctx.attribute(ACCESS) == Access.READ_ONLY) {
                    throw new ApiException(403, "The key presented is this server's read-only key: it may view the task hub "
                            + "but not change it, and " + route.method() + " " + route.path() + " (" + route.operationId()
                            + ") changes it. Use the system key for this call.");
                }
                handler.handle(ctx);
            });
        }
    }

    /** The handler of a route; the switch covers the whole table, so a route without a handler does not compile. */
    private Handler handler(ManagementRoute route, String prefix) {
        return switch (route) {
            case START_NEW -> ctx -> start(ctx, prefix, null);
            case START_NEW_WITH_ID -> ctx -> start(ctx, prefix, ctx.pathParam("instanceId"));
            case LIST_INSTANCES -> this::list;
            case PURGE_INSTANCES -> this::purgeMany;
            case GET_STATUS -> this::status;
            case PURGE_INSTANCE -> this::purgeOne;
            case RAISE_EVENT -> this::raiseEvent;
            case TERMINATE -> this::terminate;
            case SUSPEND -> this::suspend;
            case RESUME -> this::resume;
            case REWIND -> this::rewind;
            case RESTART -> ctx -> restart(ctx, prefix);
            case COUNT_INSTANCES -> this::count;
            case START_BULK_JOB -> this::startJob;
            case LIST_BULK_JOBS -> ctx -> Json.write(ctx, 200, BulkJobWireFormat.jobs(jobs.list()));
            case GET_BULK_JOB -> ctx -> Json.write(ctx, 200, BulkJobWireFormat.job(requireJob(ctx)));
            case CANCEL_BULK_JOB -> ctx -> changeJob(ctx, jobs::cancel);
            case PAUSE_BULK_JOB -> ctx -> changeJob(ctx, jobs::pause);
            case RESUME_BULK_JOB -> ctx -> changeJob(ctx, jobs::resume);
            case EXPORT_INSTANCES -> ctx -> transfer.export(ctx, filters(ctx).build());
            case IMPORT_INSTANCES -> transfer::importBody;
            case LIST_RETENTION_POLICIES -> ctx -> Json.write(ctx, 200, WireFormat.retentionPolicies(client.getRetentionPolicies()));
            case SET_RETENTION_POLICY -> this::setRetentionPolicy;
            case REMOVE_RETENTION_POLICY -> this::removeRetentionPolicy;
            case APPLY_RETENTION_POLICIES -> this::applyRetentionPolicies;
            case FIND_STUCK_INSTANCES -> operations::stuck;
            case LIST_QUARANTINE_RECORDS -> operations::listQuarantine;
            case GET_QUARANTINE_RECORD -> operations::getQuarantineRecord;
            case REPLAY_QUARANTINE_RECORD -> operations::replay;
            case DISCARD_QUARANTINE_RECORD -> operations::discard;
            case WHOAMI -> this::whoami;
            case DELETE_TASK_HUB -> this::deleteTaskHub;
            case HEALTH -> this::health;
            case OPENAPI_DOCUMENT -> this::openApi;
        };
    }

    /** Up or degraded: 200; down: 503. Without the key only the status, so a load balancer needs no secret. */
    private void health(Context ctx) {
        Duration threshold = Params.duration(ctx, "pendingThreshold");
        HubHealth health = client.health(threshold);
        boolean details = authorized.test(ctx);
        Json.write(ctx, health.status() == HubHealth.Status.DOWN ? 503 : 200,
                details ? WireFormat.health(health, settings.taskHubName()) : WireFormat.healthStatus(health));
    }

    private void whoami(Context ctx) {
        Access access = ctx.attribute(ACCESS);
        Json.write(ctx, 200, JsonNodeFactory.instance.objectNode().put("taskHub", settings.taskHubName())
                .put("access", access == Access.READ_ONLY ? "read-only" : "full")
                .put("authentication", settings.systemKey() != null));
    }

    private void openApi(Context ctx) {
        ctx.attribute(Json.WRITTEN, Boolean.TRUE);
        ctx.contentType("application/json; charset=utf-8").result(openApi);
    }

    // ---- start ---------------------------------------------------------------------------------------------------

    private void start(Context ctx, String prefix, String instanceId) {
        String name = ctx.pathParam("name");
        if (settings.registry() != null && settings.registry().orchestrator(name).isEmpty()) {
            throw ApiException.badRequest("No orchestrator named '" + name + "' is registered. Registered orchestrators: "
                    + String.join(", ", settings.registry().orchestratorNames()) + ".");
        }
        Duration timeout = Params.seconds(ctx, "timeout", MAX_WAIT_SECONDS);
        Duration pollingInterval = Params.seconds(ctx, "pollingInterval", MAX_WAIT_SECONDS);
        RawJson input = jsonBody(ctx, "The request body (the orchestrator input)");
        // a W3C traceparent on the request makes the orchestration part of the caller's trace (malformed ones are ignored)
        NewOrchestrationOptions options = NewOrchestrationOptions.builder().instanceId(instanceId)
                .traceContext(TraceContext.parse(ctx.header("traceparent"), ctx.header("tracestate"))).build();
        String id = client.scheduleNewOrchestrationInstance(name, input, options);
        if (timeout != null && !timeout.isZero()) {
            Duration interval = pollingInterval == null || pollingInterval.isZero() ? TaskHubClient.DEFAULT_RETRY_INTERVAL : pollingInterval;
            OrchestrationMetadata done = client.waitForInstanceCompletion(id, timeout, interval);
            if (done.isCompleted()) {
                JsonNode output = WireFormat.output(done);
                Json.write(ctx, 200, output);
                return;
            }
        }
        accepted(ctx, prefix, id);
    }

    private void accepted(Context ctx, String prefix, String id) {
        HttpManagementPayload payload = payload(ctx, prefix, id);
        ctx.header("Location", payload.statusQueryGetUri());
        ctx.header("Retry-After", Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
        Json.write(ctx, 202, WireFormat.payload(payload));
    }

    private HttpManagementPayload payload(Context ctx, String prefix, String id) {
        String origin = settings.publicBaseUrl();
        if (origin == null) {
            String host = ctx.header("Host");
            if (host == null || !SAFE_HOST.matcher(host).matches()) {
                host = ctx.req().getLocalAddr().contains(":") ? "[" + ctx.req().getLocalAddr() + "]:" + ctx.req().getLocalPort()
                        : ctx.req().getLocalAddr() + ":" + ctx.req().getLocalPort();
            }
            origin = ctx.scheme() + "://" + host;
        }
        HttpManagementOptions options = HttpManagementOptions.builder().baseUrl(origin + prefix)
                .taskHub(settings.taskHubName()).connectionName(settings.connectionName()).systemKey(settings.systemKey()).build();
        return client.createHttpManagementPayload(id, options);
    }

    // ---- status and list -----------------------------------------------------------------------------------------

    private void status(Context ctx) {
        String id = ctx.pathParam("id");
        boolean showHistory = Params.bool(ctx, "showHistory", false);
        boolean showHistoryOutput = Params.bool(ctx, "showHistoryOutput", false);
        boolean showInput = Params.bool(ctx, "showInput", true);
        boolean errorOnFailure = Params.bool(ctx, "returnInternalServerErrorOnFailure", false);
        Optional<OrchestrationMetadata> found = client.getInstanceMetadata(id, showInput, showHistory, showHistoryOutput);
        if (found.isEmpty()) {
            throw new InstanceNotFoundException(id);
        }
        OrchestrationMetadata m = found.get();
        int code;
        switch (m.runtimeStatus()) {
            case PENDING, RUNNING, CONTINUED_AS_NEW, SUSPENDED -> {
                code = 202;
                ctx.header("Location", ctx.fullUrl());
                ctx.header("Retry-After", Long.toString(Math.max(1, settings.retryAfter().toSeconds())));
            }
            case FAILED -> code = errorOnFailure ? 500 : 200;
            default -> code = 200;
        }
        Json.write(ctx, code, WireFormat.status(m, showHistoryOutput));
    }

    private void list(Context ctx) {
        InstanceQuery.Builder query = InstanceQuery.builder()
                .createdFrom(Params.instant(ctx, "createdTimeFrom"))
                .createdTo(Params.instant(ctx, "createdTimeTo"))
                .statuses(statuses(ctx))
                .instanceIdPrefix(Params.text(ctx, "instanceIdPrefix"))
                .fetchInputsAndOutputs(Params.bool(ctx, "showInput", false))
                .continuationToken(ctx.header(ManagementRoute.CONTINUATION_TOKEN_HEADER));
        Integer top = Params.positiveInt(ctx, "top");
        if (top != null) {
            query.pageSize(Math.min(top, InstanceQuery.MAX_PAGE_SIZE));
        }
        QueryResult page = client.queryInstances(query.build());
        if (page.continuationToken() != null) {
            ctx.header(ManagementRoute.CONTINUATION_TOKEN_HEADER, page.continuationToken());
        }
        Json.write(ctx, 200, WireFormat.statuses(page.instances()));
    }

    private void count(Context ctx) {
        Json.write(ctx, 200, WireFormat.counts(client.countInstances(filters(ctx).build())));
    }

    /** The filters of the count and export routes: created range, statuses, id prefix. */
    private static InstanceQuery.Builder filters(Context ctx) {
        return InstanceQuery.builder()
                .createdFrom(Params.instant(ctx, "createdTimeFrom"))
                .createdTo(Params.instant(ctx, "createdTimeTo"))
                .statuses(statuses(ctx))
                .instanceIdPrefix(Params.text(ctx, "instanceIdPrefix"));
    }

    private static Set<RuntimeStatus> statuses(Context ctx) {
        try {
            return WireFormat.parseStatuses(Params.all(ctx, "runtimeStatus"));
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest("Query parameter 'runtimeStatus': " + e.getMessage());
        }
    }

    // ---- operations on one instance ------------------------------------------------------------------------------

    private void raiseEvent(Context ctx) {
        String id = ctx.pathParam("id");
        RawJson data = jsonBody(ctx, "The request body (the event data)");
        try {
            client.raiseEvent(id, ctx.pathParam("eventName"), data);
        } catch (InvalidInstanceStateException e) {
            throw new ApiException(410, e.getMessage());
        }
        Json.write(ctx, 202, null);
    }

    private void terminate(Context ctx) {
        String id = ctx.pathParam("id");
        try {
            client.terminate(id, Params.text(ctx, "reason"), Params.bool(ctx, "recursive", false));
        } catch (InvalidInstanceStateException e) {
            throw new ApiException(410, e.getMessage());
        }
        Json.write(ctx, 202, null);
    }

    private void suspend(Context ctx) {
        try {
            client.suspend(ctx.pathParam("id"), Params.text(ctx, "reason"));
        } catch (InvalidInstanceStateException e) {
            throw new ApiException(410, e.getMessage());
        }
        Json.write(ctx, 202, null);
    }

    private void resume(Context ctx) {
        try {
            client.resume(ctx.pathParam("id"), Params.text(ctx, "reason"));
        } catch (InvalidInstanceStateException e) {
            throw new ApiException(410, e.getMessage());
        }
        Json.write(ctx, 202, null);
    }

    private void rewind(Context ctx) {
        try {
            client.rewind(ctx.pathParam("id"), Params.text(ctx, "reason"));
        } catch (InvalidInstanceStateException e) {
            throw new ApiException(412, e.getMessage());
        }
        Json.write(ctx, 202, null);
    }

    private void restart(Context ctx, String prefix) {
        String id = client.restart(ctx.pathParam("id"), Params.bool(ctx, "restartWithNewInstanceId", true));
        accepted(ctx, prefix, id);
    }

    // ---- bulk jobs -----------------------------------------------------------------------------------------------

    private void startJob(Context ctx) {
        String body = readBody(ctx, settings.maxBodyBytes());
        JsonNode json = WireFormat.read(body).orElseThrow(() -> ApiException.badRequest("The request body must be a bulk "
                + "job request as JSON, e.g. {\"operation\": \"terminate\", \"runtimeStatus\": [\"Running\"], \"name\": \"Hello\"}."));
        BulkJobRequest request = BulkJobWireFormat.readRequest(json);
        if (Params.bool(ctx, "dryRun", false)) {
            Json.write(ctx, 200, BulkJobWireFormat.dryRun(jobs.dryRun(request)));
            return;
        }
        BulkJob job = jobs.start(request);
        ctx.header("Location", ctx.fullUrl().replaceFirst("\\?.*$", "") + "/" + job.jobId());
        Json.write(ctx, 202, BulkJobWireFormat.job(job));
    }

    private BulkJob requireJob(Context ctx) {
        String jobId = ctx.pathParam("jobId");
        return jobs.get(jobId).orElseThrow(() -> new ApiException(404, "There is no bulk job '" + jobId + "'."));
    }

    private void changeJob(Context ctx, Function<String, BulkJob> change) {
        requireJob(ctx);
        try {
            Json.write(ctx, 202, BulkJobWireFormat.job(change.apply(ctx.pathParam("jobId"))));
        } catch (InvalidInstanceStateException e) {
            throw new ApiException(410, "Bulk job '" + ctx.pathParam("jobId") + "' has finished: " + e.getMessage());
        }
    }

    // ---- purge and task hub --------------------------------------------------------------------------------------

    private void purgeOne(Context ctx) {
        long deleted;
        try {
            deleted = client.purgeInstance(ctx.pathParam("id"));
        } catch (InvalidInstanceStateException e) {
            throw new ApiException(412, e.getMessage());
        }
        if (deleted == 0) {
            throw new InstanceNotFoundException(ctx.pathParam("id"));
        }
        Json.write(ctx, 200, WireFormat.purgeResult(deleted));
    }

    private void purgeMany(Context ctx) {
        Instant from = Params.instant(ctx, "createdTimeFrom");
        if (from == null) {
            throw ApiException.badRequest("Query parameter 'createdTimeFrom' is required to purge by criteria, e.g. "
                    + "createdTimeFrom=1970-01-01T00:00:00Z to purge from the beginning.");
        }
        long deleted = client.purgeInstances(PurgeCriteria.builder().createdFrom(from)
                .createdTo(Params.instant(ctx, "createdTimeTo")).statuses(statuses(ctx)).build());
        if (deleted == 0) {
            throw new ApiException(404, "No finished instances matched the purge criteria; nothing was deleted.");
        }
        Json.write(ctx, 200, WireFormat.purgeResult(deleted));
    }

    // ---- retention -----------------------------------------------------------------------------------------------

    private void setRetentionPolicy(Context ctx) {
        String text = readBody(ctx, settings.maxBodyBytes());
        JsonNode body = WireFormat.read(text).orElseThrow(() -> ApiException.badRequest("The request body must be a retention "
                + "policy as JSON, e.g. {\"runtimeStatus\": \"Completed\", \"olderThan\": \"P7D\"} or with \"name\": \"ProcessOrder\"."));
        RetentionPolicy policy = WireFormat.readRetentionPolicy(body);
        client.setRetentionPolicy(policy);
        Json.write(ctx, 200, WireFormat.retentionPolicy(policy));
    }

    private void removeRetentionPolicy(Context ctx) {
        String status = Params.text(ctx, "runtimeStatus");
        if (status == null) {
            throw ApiException.badRequest("Query parameter 'runtimeStatus' is required: the status whose retention policy to "
                    + "remove (Completed, Failed or Terminated), with 'name' for a policy of one orchestration name.");
        }
        RuntimeStatus parsed;
        try {
            parsed = RuntimeStatus.parse(status);
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest("Query parameter 'runtimeStatus': " + e.getMessage());
        }
        String name = Params.text(ctx, "name");
        if (!client.removeRetentionPolicy(parsed, name)) {
            throw new ApiException(404, "There is no retention policy for " + parsed.wireName()
                    + (name == null ? " covering every name" : " of '" + name + "'") + "; list them with GET "
                    + ManagementRoute.LIST_RETENTION_POLICIES.path() + ".");
        }
        Json.write(ctx, 200, WireFormat.retentionPolicies(client.getRetentionPolicies()));
    }

    private void applyRetentionPolicies(Context ctx) {
        Integer limit = Params.positiveInt(ctx, "limitPerPolicy");
        RetentionReport report = client.applyRetentionPolicies(limit == null ? RetentionEnforcer.DEFAULT_LIMIT_PER_POLICY : limit);
        Json.write(ctx, 200, WireFormat.retentionReport(report));
    }

    private void deleteTaskHub(Context ctx) {
        String confirm = Params.text(ctx, "confirm");
        if (confirm == null || !confirm.equalsIgnoreCase(settings.taskHubName())) {
            throw ApiException.badRequest("Deleting the task hub removes every instance and its history. Repeat the "
                    + "request with confirm=<the task hub name> to proceed.");
        }
        client.deleteTaskHub();
        Json.write(ctx, 200, WireFormat.taskHubDeleted(settings.taskHubName()));
    }

    // ---- bodies --------------------------------------------------------------------------------------------------

    /** The request body as raw JSON, null when empty or {@code null}; bad JSON is a 400, too large a 413. */
    private RawJson jsonBody(Context ctx, String what) {
        String text = readBody(ctx, settings.maxBodyBytes()).trim();
        if (text.isEmpty() || text.equals("null")) {
            return null;
        }
        try {
            return new RawJson(text);
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(e.getMessage().replace("The payload", what));
        }
    }

    static String readBody(Context ctx, long max) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
        try {
            InputStream in = ctx.req().getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > max) {
                    throw tooLarge(max);
                }
                out.write(buffer, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ApiException.badRequest("Could not read the request body: " + e.getMessage());
        }
    }

    /**
     * Reads and drops what is left of a rejected request's body, so that the client, which may still be sending it,
     * receives the error response instead of a reset connection. Past {@link #DISCARD_LIMIT} bytes the connection
     * is closed after the response instead.
     */
    static void discardBody(Context ctx) {
        try {
            InputStream in = ctx.req().getInputStream();
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > DISCARD_LIMIT) {
                    ctx.header("Connection", "close");
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            ctx.header("Connection", "close");
        }
    }

    /** How much of a rejected request's body is read and dropped before the connection is closed instead. */
    static final long DISCARD_LIMIT = 64L * 1024 * 1024;

    static ApiException tooLarge(long max) {
        String readable = max % (1024 * 1024) == 0 ? (max / (1024 * 1024)) + " MiB"
                : max % 1024 == 0 ? (max / 1024) + " KiB" : max + " bytes";
        return new ApiException(413, "The request body is larger than the limit of " + readable
                + ". Send a smaller payload: store large data elsewhere and pass a reference.");
    }

}

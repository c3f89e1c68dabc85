package dev.taskhub.client.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The route table of the HTTP management API: every route with its method, path template (relative to a base path
 * such as {@value #DEFAULT_BASE_PATH}, with named parameters in braces), the query parameters it reads and the
 * OpenAPI operation it is. The server registers one handler per constant, {@link dev.taskhub.client.TaskHubClient}
 * builds the management payload's URLs from it, and the command line's {@code --url} mode builds its requests from
 * it; tests check that the router, the payload URLs and the OpenAPI document agree with it.
 *
 * <p>Besides its own query parameters, every route takes {@link #COMMON_QUERY_PARAMETERS} ({@code taskHub},
 * {@code connection}, {@code code}). Every route requires the system key except {@link #OPENAPI_DOCUMENT} and {@link #HEALTH}.
 * Immutable and thread-safe.
 */
public enum ManagementRoute {
    /** Start an instance under a new random id; the body is the input. */
    START_NEW("startNew", "POST", "/orchestrators/{name}", "timeout", "pollingInterval"),
    /** Start an instance under the given id; the body is the input. */
    START_NEW_WITH_ID("startNewWithId", "POST", "/orchestrators/{name}/{instanceId}", "timeout", "pollingInterval"),
    /** One page of instances; the next page's token comes and goes in {@link #CONTINUATION_TOKEN_HEADER}. */
    LIST_INSTANCES("listInstances", "GET", "/instances",
            "createdTimeFrom", "createdTimeTo", "runtimeStatus", "instanceIdPrefix", "showInput", "top"),
    /** Purge finished instances by creation time and status. */
    PURGE_INSTANCES("purgeInstances", "DELETE", "/instances", "createdTimeFrom", "createdTimeTo", "runtimeStatus"),
    /** The status object of one instance. */
    GET_STATUS("getStatus", "GET", "/instances/{id}",
            "showHistory", "showHistoryOutput", "showInput", "returnInternalServerErrorOnFailure"),
    /** Purge one finished instance. */
    PURGE_INSTANCE("purgeInstance", "DELETE", "/instances/{id}"),
    /** Raise an event; the body is the event data. */
    RAISE_EVENT("raiseEvent", "POST", "/instances/{id}/raiseEvent/{eventName}"),
    TERMINATE("terminate", "POST", "/instances/{id}/terminate", "reason", "recursive"),
    SUSPEND("suspend", "POST", "/instances/{id}/suspend", "reason"),
    RESUME("resume", "POST", "/instances/{id}/resume", "reason"),
    REWIND("rewind", "POST", "/instances/{id}/rewind", "reason"),
    RESTART("restart", "POST", "/instances/{id}/restart", "restartWithNewInstanceId"),
    /** How many instances match the filters, per orchestration name and runtime status (a Taskhub extension). */
    COUNT_INSTANCES("countInstances", "GET", "/taskhub/counts", "createdTimeFrom", "createdTimeTo", "runtimeStatus", "instanceIdPrefix"),
    /** Start a bulk job; the body is the request; with {@code dryRun=true} only count the matches (a Taskhub extension). */
    START_BULK_JOB("startBulkJob", "POST", "/taskhub/jobs", "dryRun"),
    /** Every bulk job of the hub, newest first (a Taskhub extension). */
    LIST_BULK_JOBS("listBulkJobs", "GET", "/taskhub/jobs"),
    /** One bulk job with its progress (a Taskhub extension). */
    GET_BULK_JOB("getBulkJob", "GET", "/taskhub/jobs/{jobId}"),
    /** Cancel a bulk job before its next step (a Taskhub extension). */
    CANCEL_BULK_JOB("cancelBulkJob", "POST", "/taskhub/jobs/{jobId}/cancel"),
    /** Pause a bulk job after its current step (a Taskhub extension). */
    PAUSE_BULK_JOB("pauseBulkJob", "POST", "/taskhub/jobs/{jobId}/pause"),
    /** Continue a paused bulk job (a Taskhub extension). */
    RESUME_BULK_JOB("resumeBulkJob", "POST", "/taskhub/jobs/{jobId}/resume"),
    /**
     * The instances that match the filters with their full history, as JSON Lines ({@code application/x-ndjson}, the
     * format of {@code dev.taskhub.transfer.InstanceTransfer}; a Taskhub extension).
     */
    EXPORT_INSTANCES("exportInstances", "GET", "/taskhub/export", "createdTimeFrom", "createdTimeTo", "runtimeStatus", "instanceIdPrefix"),
    /**
     * Import the JSON Lines of the body (as {@link #EXPORT_INSTANCES} answers) into the served hub; answers the import
     * summary. {@code idReusePolicy} is an {@code IdReusePolicy} name (a Taskhub extension).
     */
    IMPORT_INSTANCES("importInstances", "POST", "/taskhub/import", "idReusePolicy"),
    /** The task hub's retention policies (a Taskhub extension). */
    LIST_RETENTION_POLICIES("listRetentionPolicies", "GET", "/taskhub/retention"),
    /** Add a retention policy or replace the one of the same status and name; the body is the policy (a Taskhub extension). */
    SET_RETENTION_POLICY("setRetentionPolicy", "PUT", "/taskhub/retention"),
    /** Remove the retention policy of a status and, optionally, a name (a Taskhub extension). */
    REMOVE_RETENTION_POLICY("removeRetentionPolicy", "DELETE", "/taskhub/retention", "runtimeStatus", "name"),
    /** Run one retention pass now, at most {@code limitPerPolicy} instances per policy (a Taskhub extension). */
    APPLY_RETENTION_POLICIES("applyRetentionPolicies", "POST", "/taskhub/retention/apply", "limitPerPolicy"),
    /**
     * Instances stuck for longer than {@code threshold} (ISO 8601 or 5m/30s; default PT5M), at most {@code limit}
     * (1..1000, default 100); {@code repeatedDeliveries} (at least 2, default 2) deliveries without a checkpoint count as
     * repeated failures (a Taskhub extension).
     */
    FIND_STUCK_INSTANCES("findStuckInstances", "GET", "/taskhub/stuck", "threshold", "limit", "repeatedDeliveries"),
    /**
     * One page of quarantine records, oldest first, optionally of one instance ({@code instanceId}) or {@code kind}
     * ({@code Orchestration} or {@code Activity}); paged with {@code top} and {@link #CONTINUATION_TOKEN_HEADER} (a
     * Taskhub extension).
     */
    LIST_QUARANTINE_RECORDS("listQuarantineRecords", "GET", "/taskhub/quarantine", "instanceId", "kind", "top"),
    /** One quarantine record with its messages (a Taskhub extension). */
    GET_QUARANTINE_RECORD("getQuarantineRecord", "GET", "/taskhub/quarantine/{recordId}"),
    /** Put a quarantine record's messages back to work and delete the record (a Taskhub extension). */
    REPLAY_QUARANTINE_RECORD("replayQuarantineRecord", "POST", "/taskhub/quarantine/{recordId}/replay"),
    /** Delete a quarantine record: its messages are dropped for good (a Taskhub extension). */
    DISCARD_QUARANTINE_RECORD("discardQuarantineRecord", "DELETE", "/taskhub/quarantine/{recordId}"),
    /**
     * Who the caller is to this server: the served task hub, whether the presented key is the system key
     * ({@code "access": "full"}) or the read-only key ({@code "read-only"}), and whether keys are required at all (a
     * Taskhub extension; the dashboard hides its actions for a read-only key).
     */
    WHOAMI("whoami", "GET", "/taskhub/whoami"),
    /** Delete the served task hub (a Taskhub extension); {@code confirm} must name it. */
    DELETE_TASK_HUB("deleteTaskHub", "DELETE", "/taskhub", "confirm"),
    /**
     * The hub's health, for a load balancer: without the key only {@code {"status": "Up"|"Degraded"|"Down"}} (503 when
     * down), with the key the details too. {@code pendingThreshold} is an ISO 8601 duration (default PT5M).
     */
    HEALTH("health", "GET", "/health", "pendingThreshold"),
    /** The OpenAPI document of these routes, served without the key. */
    OPENAPI_DOCUMENT("openApiDocument", "GET", "/openapi.json");

    /** The base path of current Durable Functions versions. */
    public static final String DEFAULT_BASE_PATH = "/runtime/webhooks/durabletask";
    /** The base path of Durable Functions 1.x, served as well. */
    public static final String LEGACY_BASE_PATH = "/admin/extensions/DurableTaskExtension";
    /** The query parameter naming the task hub; a server refuses other hubs than its own. */
    public static final String TASK_HUB_PARAMETER = "taskHub";
    /** The query parameter naming the connection string setting (carried in management URLs). */
    public static final String CONNECTION_PARAMETER = "connection";
    /** The query parameter carrying the system key. */
    public static final String KEY_PARAMETER = "code";
    /** The header carrying the system key (instead of {@link #KEY_PARAMETER}). */
    public static final String KEY_HEADER = "x-functions-key";
    /** The header carrying a list page's continuation token, in the response and in the next request. */
    public static final String CONTINUATION_TOKEN_HEADER = "x-ms-continuation-token";
    /** Query parameters every route takes. */
    public static final List<String> COMMON_QUERY_PARAMETERS = List.of(TASK_HUB_PARAMETER, CONNECTION_PARAMETER, KEY_PARAMETER);

    private final String operationId;
    private final String method;
    private final String path;
    private final List<String> pathParameters;
    private final List<String> queryParameters;

    ManagementRoute(String operationId, String method, String path, String... queryParameters) {
        this.operationId = operationId;
        this.method = method;
        this.path = path;
        List<String> names = new ArrayList<>();
        Matcher m = Template.PARAMETER.matcher(path);
        while (m.find()) {
            names.add(m.group(1));
        }
        this.pathParameters = List.copyOf(names);
        this.queryParameters = List.of(queryParameters);
    }

    /** The operation's name, as the OpenAPI document's {@code operationId}, e.g. {@code getStatus}. */
    public String operationId() {
        return operationId;
    }

    /** The HTTP method: {@code GET}, {@code POST}, {@code PUT} or {@code DELETE}. */
    public String method() {
        return method;
    }

    /** The path template relative to the base path, e.g. {@code /instances/{id}/raiseEvent/{eventName}}. */
    public String path() {
        return path;
    }

    /** The names of the path template's parameters, in order, e.g. {@code [id, eventName]}. */
    public List<String> pathParameters() {
        return pathParameters;
    }

    /** The query parameters this route reads besides {@link #COMMON_QUERY_PARAMETERS}. */
    public List<String> queryParameters() {
        return queryParameters;
    }

    /**
     * Whether a request must carry the system key; false for {@link #OPENAPI_DOCUMENT} and {@link #HEALTH} (which shows
     * its details only to a request that carries the key).
     */
    public boolean requiresKey() {
        return this != OPENAPI_DOCUMENT && this != HEALTH;
    }

    /**
     * Whether the route only reads (every {@code GET} route: status, list, history, counts, export, jobs, retention
     * policies, stuck instances, quarantine records, health, whoami): the only routes a server's read-only key may call.
     * Every other route changes the task hub and needs the system key.
     */
    public boolean readOnly() {
        return method.equals("GET");
    }

    /**
     * Whether the route answers one page at a time, taking the previous page's token in
     * {@link #CONTINUATION_TOKEN_HEADER} and answering the next page's token there.
     */
    public boolean pagedByContinuationToken() {
        return this == LIST_INSTANCES || this == LIST_QUARANTINE_RECORDS;
    }

    /** Whether the route takes this query parameter (its own or a common one). */
    public boolean takes(String queryParameter) {
        return queryParameters.contains(queryParameter) || COMMON_QUERY_PARAMETERS.contains(queryParameter);
    }

    /**
     * The name, when this route takes that query parameter; otherwise an {@link IllegalArgumentException} (a caller
     * out of step with the table).
     */
    public String queryParameter(String name) {
        if (!takes(name)) {
            throw new IllegalArgumentException("Route " + this + " (" + method + " " + path + ") takes no query parameter '"
                    + name + "'; it takes " + queryParameters + " and " + COMMON_QUERY_PARAMETERS + ".");
        }
        return name;
    }

    /**
     * The path with its parameters, in order, replaced by the values, each percent-encoded as one path segment, e.g.
     * {@code RAISE_EVENT.path("a b", "Approval")} is {@code /instances/a%20b/raiseEvent/Approval}.
     */
    public String path(String... values) {
        if (values.length != pathParameters.size()) {
            throw new IllegalArgumentException("Route " + this + " (" + path + ") has " + pathParameters.size()
                    + " path parameter(s) " + pathParameters + ", got " + values.length + " value(s).");
        }
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            named.put(pathParameters.get(i), values[i]);
        }
        return path(named);
    }

    /**
     * The path with the given parameters replaced by their values (percent-encoded); parameters not given stay as
     * their {@code {name}} placeholder, as the management payload's {@code sendEventPostUri} keeps {@code {eventName}}.
     */
    public String path(Map<String, String> values) {
        for (String name : values.keySet()) {
            if (!pathParameters.contains(name)) {
                throw new IllegalArgumentException("Route " + this + " (" + path + ") has no path parameter '" + name + "'.");
            }
        }
        Matcher m = Template.PARAMETER.matcher(path);
        StringBuilder result = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(result, Matcher.quoteReplacement(value == null ? m.group() : encode(value)));
        }
        m.appendTail(result);
        return result.toString();
    }

    /**
     * A query string ({@code a=1&b=x%20y}, no leading {@code ?}) of the parameters in the map's order, values
     * percent-encoded, null values left out; every name must be one the route takes.
     */
    public String query(Map<String, String> parameters) {
        StringJoiner joiner = new StringJoiner("&");
        parameters.forEach((name, value) -> {
            queryParameter(name);
            if (value != null) {
                joiner.add(name + "=" + encode(value));
            }
        });
        return joiner.toString();
    }

    /** The route whose method and path template (relative to the base path) these are, if any. */
    public static Optional<ManagementRoute> find(String method, String pathTemplate) {
        for (ManagementRoute route : values()) {
            if (route.method.equals(method) && route.path.equals(pathTemplate)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** Percent-encodes a path segment or query value (UTF-8; a space is {@code %20}). */
    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Holds the pattern apart, as the constants' constructor may not read the enum's own static fields. */
    private static final class Template {
        static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z]+)}");
    }
}

package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskhub.ConfigurationException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.convert.RawJson;
import dev.taskhub.client.http.OperationsWire;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.QuarantineReplay;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.StuckInstances;
import dev.taskhub.query.StuckQuery;
import dev.taskhub.query.RetentionReport;
import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.HubHealth;
import dev.taskhub.jobs.BulkJob;
import dev.taskhub.jobs.BulkJobWireFormat;
import dev.taskhub.jobs.BulkJobRequest;
import dev.taskhub.query.InstanceCounts;
import dev.taskhub.query.InstanceQuery;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.query.PurgeCriteria;
import dev.taskhub.client.QueryResult;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.client.http.WireFormat;
import dev.taskhub.history.HistoryEvent;
import dev.taskhub.client.IdReusePolicy;
import dev.taskhub.transfer.ExportSummary;
import dev.taskhub.transfer.ImportSummary;
import dev.taskhub.transfer.TransferWire;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.util.function.LongConsumer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations through a running HTTP management API (e.g. {@code taskhub serve}): requests built from the route
 * table ({@link ManagementRoute}), answers read with the wire format ({@link WireFormat}) into the client's types.
 */
final class RemoteHub implements Hub {
    static final String KEY_ENV = "TASKHUB_HTTP_KEY";

    private final String base;
    private final String key;
    private final String taskHub;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private RemoteHub(String base, String key, String taskHub) {
        this.base = base;
        this.key = key;
        this.taskHub = taskHub;
    }

    static RemoteHub connect(RemoteOptions remote, CommonOptions store, Map<String, String> environment) {
        String url = remote.url.trim();
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ConfigurationException("--url must start with http:// or https://, e.g. "
                    + "http://127.0.0.1:7071" + ManagementRoute.DEFAULT_BASE_PATH + "; got '" + url + "'.");
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!url.contains(ManagementRoute.DEFAULT_BASE_PATH) && !url.contains(ManagementRoute.LEGACY_BASE_PATH)) {
            url = url + ManagementRoute.DEFAULT_BASE_PATH;
        }
        String key = remote.key != null ? remote.key : environment.get(KEY_ENV);
        return new RemoteHub(url, key, store.taskHubName);
    }

    @Override
    public String taskHubName() {
        return taskHub != null ? taskHub : "(the server's)";
    }

    @Override
    public HttpManagementPayload start(String name, RawJson input, String instanceId) {
        Reply reply = instanceId == null
                ? send(ManagementRoute.START_NEW, List.of(name), Map.of(), input)
                : send(ManagementRoute.START_NEW_WITH_ID, List.of(name, instanceId), Map.of(), input);
        return WireFormat.readPayload(reply.body);
    }

    @Override
    public OrchestrationMetadata status(String instanceId, boolean showInput) {
        return WireFormat.readStatus(send(ManagementRoute.GET_STATUS, List.of(instanceId),
                Map.of("showInput", Boolean.toString(showInput)), null).body);
    }

    @Override
    public List<HistoryEvent> history(String instanceId) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("showHistory", "true");
        query.put("showHistoryOutput", "true");
        query.put("showInput", "false");
        OrchestrationMetadata status = WireFormat.readStatus(send(ManagementRoute.GET_STATUS, List.of(instanceId), query, null).body);
        return status.historyEvents().orElse(List.of());
    }

    @Override
    public QueryResult list(InstanceQuery q) {
        Map<String, String> query = filters(q);
        query.put("top", Integer.toString(q.pageSize()));
        query.put("showInput", Boolean.toString(q.fetchInputsAndOutputs()));
        Reply reply = send(ManagementRoute.LIST_INSTANCES, List.of(), query, null, q.continuationToken());
        return new QueryResult(WireFormat.readStatuses(reply.body), reply.continuationToken);
    }

    @Override
    public HubHealth health() {
        return WireFormat.readHealth(send(ManagementRoute.HEALTH, List.of(), Map.of(), null).body);
    }

    @Override
    public InstanceCounts count(InstanceQuery q) {
        return WireFormat.readCounts(send(ManagementRoute.COUNT_INSTANCES, List.of(), filters(q), null).body);
    }

    /** The query's filters as the list and count routes' query parameters. */
    private static Map<String, String> filters(InstanceQuery q) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("createdTimeFrom", time(q.createdFrom()));
        query.put("createdTimeTo", time(q.createdTo()));
        query.put("runtimeStatus", q.statuses().isEmpty() ? null : WireFormat.formatStatuses(q.statuses()));
        query.put("instanceIdPrefix", q.instanceIdPrefix());
        return query;
    }

    @Override
    public void raiseEvent(String instanceId, String eventName, RawJson data) {
        send(ManagementRoute.RAISE_EVENT, List.of(instanceId, eventName), Map.of(), data);
    }

    @Override
    public void terminate(String instanceId, String reason) {
        operation(ManagementRoute.TERMINATE, instanceId, reason);
    }

    @Override
    public void suspend(String instanceId, String reason) {
        operation(ManagementRoute.SUSPEND, instanceId, reason);
    }

    @Override
    public void resume(String instanceId, String reason) {
        operation(ManagementRoute.RESUME, instanceId, reason);
    }

    @Override
    public void rewind(String instanceId, String reason) {
        operation(ManagementRoute.REWIND, instanceId, reason);
    }

    private void operation(ManagementRoute route, String instanceId, String reason) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("reason", reason);
        send(route, List.of(instanceId), query, null);
    }

    @Override
    public HttpManagementPayload restart(String instanceId, boolean newInstanceId) {
        return WireFormat.readPayload(send(ManagementRoute.RESTART, List.of(instanceId),
                Map.of("restartWithNewInstanceId", Boolean.toString(newInstanceId)), null).body);
    }

    @Override
    public long purgeInstance(String instanceId) {
        return WireFormat.readPurgeResult(send(ManagementRoute.PURGE_INSTANCE, List.of(instanceId), Map.of(), null).body);
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("createdTimeFrom", time(criteria.createdFrom()));
        query.put("createdTimeTo", time(criteria.createdTo()));
        query.put("runtimeStatus", WireFormat.formatStatuses(criteria.statuses()));
        try {
            return WireFormat.readPurgeResult(send(ManagementRoute.PURGE_INSTANCES, List.of(), query, null).body);
        } catch (RemoteRequestException e) {
            if (e.status() == 404) {
                return 0; // the API answers 404 when nothing matched; for the command line that is "purged 0"
            }
            throw e;
        }
    }

    @Override
    public void deleteTaskHub() {
        if (taskHub == null) {
            throw new ConfigurationException("With --url, delete-task-hub needs --task-hub-name <the served hub's name> "
                    + "as a confirmation.");
        }
        send(ManagementRoute.DELETE_TASK_HUB, List.of(), Map.of("confirm", taskHub), null);
    }

    @Override
    public long dryRunJob(BulkJobRequest request) {
        return BulkJobWireFormat.readDryRun(send(ManagementRoute.START_BULK_JOB, List.of(), Map.of("dryRun", "true"),
                new RawJson(WireFormat.write(BulkJobWireFormat.request(request)))).body);
    }

    @Override
    public BulkJob startJob(BulkJobRequest request) {
        return BulkJobWireFormat.readJob(send(ManagementRoute.START_BULK_JOB, List.of(), Map.of(),
                new RawJson(WireFormat.write(BulkJobWireFormat.request(request)))).body);
    }

    @Override
    public BulkJob job(String jobId) {
        return BulkJobWireFormat.readJob(send(ManagementRoute.GET_BULK_JOB, List.of(jobId), Map.of(), null).body);
    }

    @Override
    public List<BulkJob> jobs() {
        return BulkJobWireFormat.readJobs(send(ManagementRoute.LIST_BULK_JOBS, List.of(), Map.of(), null).body);
    }

    @Override
    public BulkJob changeJob(String jobId, JobChange change) {
        ManagementRoute route = switch (change) {
            case CANCEL -> ManagementRoute.CANCEL_BULK_JOB;
            case PAUSE -> ManagementRoute.PAUSE_BULK_JOB;
            case RESUME -> ManagementRoute.RESUME_BULK_JOB;
        };
        return BulkJobWireFormat.readJob(send(route, List.of(jobId), Map.of(), null).body);
    }

    @Override
    public void close() {
        // the JDK client needs no closing on Java 17
    }

    // ---- stuck instances and quarantine ---------------------------------------------------------------------------

    @Override
    public StuckInstances stuck(StuckQuery q) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("threshold", q.threshold().toString());
        query.put("limit", Integer.toString(q.limit()));
        query.put("repeatedDeliveries", Integer.toString(q.repeatedDeliveries()));
        return OperationsWire.readStuck(send(ManagementRoute.FIND_STUCK_INSTANCES, List.of(), query, null).body);
    }

    @Override
    public QuarantinePage quarantine(QuarantineQuery q) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("instanceId", q.instanceId());
        query.put("kind", q.kind() == null ? null : q.kind().wireName());
        query.put("top", Integer.toString(q.pageSize()));
        Reply reply = send(ManagementRoute.LIST_QUARANTINE_RECORDS, List.of(), query, null, q.continuationToken());
        return new QuarantinePage(OperationsWire.readRecords(reply.body), reply.continuationToken);
    }

    @Override
    public QuarantineRecord quarantineRecord(String recordId) {
        return OperationsWire.readRecord(send(ManagementRoute.GET_QUARANTINE_RECORD, List.of(recordId), Map.of(), null).body);
    }

    @Override
    public QuarantineReplay replayQuarantineRecord(String recordId) {
        return OperationsWire.readReplay(send(ManagementRoute.REPLAY_QUARANTINE_RECORD, List.of(recordId), Map.of(), null).body);
    }

    @Override
    public void discardQuarantineRecord(String recordId) {
        send(ManagementRoute.DISCARD_QUARANTINE_RECORD, List.of(recordId), Map.of(), null);
    }

    // ---- retention -----------------------------------------------------------------------------------------------

    @Override
    public List<RetentionPolicy> retentionPolicies() {
        return WireFormat.readRetentionPolicies(send(ManagementRoute.LIST_RETENTION_POLICIES, List.of(), Map.of(), null).body);
    }

    @Override
    public void setRetentionPolicy(RetentionPolicy policy) {
        send(ManagementRoute.SET_RETENTION_POLICY, List.of(), Map.of(), new RawJson(WireFormat.write(WireFormat.retentionPolicy(policy))));
    }

    @Override
    public boolean removeRetentionPolicy(RuntimeStatus status, String name) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("runtimeStatus", status.wireName());
        query.put("name", name);
        try {
            send(ManagementRoute.REMOVE_RETENTION_POLICY, List.of(), query, null);
            return true;
        } catch (RemoteRequestException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public RetentionReport applyRetentionPolicies(int limitPerPolicy) {
        return WireFormat.readRetentionReport(send(ManagementRoute.APPLY_RETENTION_POLICIES, List.of(),
                Map.of("limitPerPolicy", Integer.toString(limitPerPolicy)), null).body);
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private record Reply(JsonNode body, String continuationToken) {}

    private Reply send(ManagementRoute route, List<String> pathValues, Map<String, String> query, RawJson body) {
        return send(route, pathValues, query, body, null);
    }

    /** One request of the route: its path filled with the values, the query (null values left out) and the task hub. */
    private Reply send(ManagementRoute route, List<String> pathValues, Map<String, String> query, RawJson body,
                       String continuationToken) {
        Map<String, String> params = new LinkedHashMap<>(query);
        params.put(ManagementRoute.TASK_HUB_PARAMETER, taskHub);
        String queryString = route.query(params);
        String uri = base + route.path(pathValues.toArray(String[]::new)) + (queryString.isEmpty() ? "" : "?" + queryString);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(10))
                .method(route.method(), body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.json(), StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null && !key.isBlank()) {
            request.header(ManagementRoute.KEY_HEADER, key);
        }
        if (continuationToken != null && !continuationToken.isBlank()) {
            request.header(ManagementRoute.CONTINUATION_TOKEN_HEADER, continuationToken);
        }
        HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonNode json = WireFormat.read(response.body()).orElse(null);
        int status = response.statusCode();
        if (status >= 400) {
            throw failure(status, json);
        }
        return new Reply(json, response.headers().firstValue(ManagementRoute.CONTINUATION_TOKEN_HEADER).orElse(null));
    }

    /** Sends the request; an unreachable server or a broken connection is a {@link RemoteRequestException}. */
    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request, body);
        } catch (ConnectException e) {
            throw new RemoteRequestException(0, "Cannot connect to " + base + ". Is 'taskhub serve' running there?");
        } catch (IOException e) {
            throw new RemoteRequestException(0, "Request to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteRequestException(0, "Interrupted while waiting for " + base + ".");
        }
    }

    /** The refusal of an answer with an error status: the server's message, or a hint about the key for 401. */
    private static RemoteRequestException failure(int status, JsonNode json) {
        String message = WireFormat.readError(json).orElse("HTTP " + status);
        if (status == 401) {
            message = "The server refused the key (HTTP 401). Pass --key or set " + KEY_ENV + " to the key 'taskhub serve' printed.";
        }
        return new RemoteRequestException(status, message);
    }

    private static String time(Instant value) {
        return value == null ? null : value.toString();
    }

    @Override
    public ExportSummary exportInstances(InstanceQuery query, Writer out, LongConsumer progress) {
        HttpResponse<InputStream> response = stream(ManagementRoute.EXPORT_INSTANCES, filters(query), HttpRequest.BodyPublishers.noBody());
        long exported = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                out.write(line);
                out.write('\n');
                if (++exported % 100 == 0) {
                    progress.accept(exported);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new RemoteRequestException(0, "The export from " + base + " broke off after " + exported + " instance(s): "
                    + e.getMessage() + ". Export again.");
        }
        progress.accept(exported);
        return new ExportSummary(exported);
    }

    @Override
    public ImportSummary importInstances(InputStream in, IdReusePolicy policy, LongConsumer progress) {
        HttpResponse<InputStream> response = stream(ManagementRoute.IMPORT_INSTANCES, Map.of("idReusePolicy", policy.name()),
                HttpRequest.BodyPublishers.ofInputStream(() -> in));
        try (InputStream body = response.body()) {
            return TransferWire.readImportSummary(WireFormat.read(new String(body.readAllBytes(), StandardCharsets.UTF_8))
                    .orElseThrow(() -> new RemoteRequestException(0, "The server answered the import without a summary.")));
        } catch (IOException e) {
            throw new RemoteRequestException(0, "Reading the import summary from " + base + " failed: " + e.getMessage());
        }
    }

    /** A request of a streaming route (export, import): the response body as a stream; an error status is thrown. */
    private HttpResponse<InputStream> stream(ManagementRoute route, Map<String, String> query, HttpRequest.BodyPublisher body) {
        Map<String, String> params = new LinkedHashMap<>(query);
        params.put(ManagementRoute.TASK_HUB_PARAMETER, taskHub);
        String queryString = route.query(params);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + route.path() + (queryString.isEmpty() ? "" : "?" + queryString)))
                .method(route.method(), body).header("Content-Type", "application/x-ndjson");
        if (key != null && !key.isBlank()) {
            request.header(ManagementRoute.KEY_HEADER, key);
        }
        HttpResponse<InputStream> response = exchange(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 400) {
            String text;
            try (InputStream error = response.body()) {
                text = new String(error.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = "";
            }
            throw failure(response.statusCode(), WireFormat.read(text).orElse(null));
        }
        return response;
    }
}

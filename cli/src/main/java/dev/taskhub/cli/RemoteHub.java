package dev.taskhub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.ConfigurationException;
import dev.taskhub.RawJson;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.PurgeCriteria;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The operations through a running HTTP management API (e.g. {@code taskhub serve}), with its wire format. */
final class RemoteHub implements Hub {
    static final String KEY_ENV = "TASKHUB_HTTP_KEY";
    private static final ObjectMapper JSON = new ObjectMapper();

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
                    + "http://127.0.0.1:7071/runtime/webhooks/durabletask; got '" + url + "'.");
        }
        url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!url.contains("/runtime/webhooks/durabletask") && !url.contains("/admin/extensions/DurableTaskExtension")) {
            url = url + "/runtime/webhooks/durabletask";
        }
        String key = remote.key != null ? remote.key : environment.get(KEY_ENV);
        return new RemoteHub(url, key, store.taskHubName);
    }

    @Override
    public String taskHubName() {
        return taskHub != null ? taskHub : "(the server's)";
    }

    @Override
    public ObjectNode start(String name, RawJson input, String instanceId) {
        String path = "/orchestrators/" + segment(name) + (instanceId == null ? "" : "/" + segment(instanceId));
        return (ObjectNode) send("POST", path, List.of(), input == null ? null : input.json(), null).body;
    }

    @Override
    public ObjectNode status(String instanceId, boolean showInput) {
        return (ObjectNode) send("GET", "/instances/" + segment(instanceId), List.of("showInput=" + showInput), null, null).body;
    }

    @Override
    public ArrayNode history(String instanceId) {
        JsonNode status = send("GET", "/instances/" + segment(instanceId),
                List.of("showHistory=true", "showHistoryOutput=true", "showInput=false"), null, null).body;
        return (ArrayNode) status.get("historyEvents");
    }

    @Override
    public Page list(ListRequest r) {
        List<String> query = new ArrayList<>();
        add(query, "createdTimeFrom", r.createdFrom());
        add(query, "createdTimeTo", r.createdTo());
        if (!r.statuses().isEmpty()) {
            query.add("runtimeStatus=" + r.statuses().stream().map(RuntimeStatus::wireName).sorted().collect(Collectors.joining(",")));
        }
        query.add("top=" + r.top());
        query.add("showInput=" + r.showInput());
        Reply reply = send("GET", "/instances", query, null, r.continuationToken());
        return new Page((ArrayNode) reply.body, reply.continuationToken);
    }

    @Override
    public void raiseEvent(String instanceId, String eventName, RawJson data) {
        send("POST", "/instances/" + segment(instanceId) + "/raiseEvent/" + segment(eventName), List.of(),
                data == null ? null : data.json(), null);
    }

    @Override
    public void terminate(String instanceId, String reason) {
        operation(instanceId, "terminate", reason);
    }

    @Override
    public void suspend(String instanceId, String reason) {
        operation(instanceId, "suspend", reason);
    }

    @Override
    public void resume(String instanceId, String reason) {
        operation(instanceId, "resume", reason);
    }

    @Override
    public void rewind(String instanceId, String reason) {
        operation(instanceId, "rewind", reason);
    }

    private void operation(String instanceId, String operation, String reason) {
        send("POST", "/instances/" + segment(instanceId) + "/" + operation,
                reason == null ? List.of() : List.of("reason=" + encode(reason)), null, null);
    }

    @Override
    public ObjectNode restart(String instanceId, boolean newInstanceId) {
        return (ObjectNode) send("POST", "/instances/" + segment(instanceId) + "/restart",
                List.of("restartWithNewInstanceId=" + newInstanceId), null, null).body;
    }

    @Override
    public long purgeInstance(String instanceId) {
        return send("DELETE", "/instances/" + segment(instanceId), List.of(), null, null).body.get("instancesDeleted").asLong();
    }

    @Override
    public long purgeInstances(PurgeCriteria criteria) {
        List<String> query = new ArrayList<>();
        add(query, "createdTimeFrom", criteria.createdFrom());
        add(query, "createdTimeTo", criteria.createdTo());
        query.add("runtimeStatus=" + criteria.statuses().stream().map(RuntimeStatus::wireName).sorted().collect(Collectors.joining(",")));
        try {
            return send("DELETE", "/instances", query, null, null).body.get("instancesDeleted").asLong();
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
        send("DELETE", "/taskhub", List.of("confirm=" + encode(taskHub)), null, null);
    }

    @Override
    public void close() {
        // the JDK client needs no closing on Java 17
    }

    // ---- HTTP ----------------------------------------------------------------------------------------------------

    private record Reply(JsonNode body, String continuationToken) {}

    private Reply send(String method, String path, List<String> query, String body, String continuationToken) {
        List<String> params = new ArrayList<>(query);
        if (taskHub != null) {
            params.add("taskHub=" + encode(taskHub));
        }
        String uri = base + path + (params.isEmpty() ? "" : "?" + String.join("&", params));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofMinutes(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null && !key.isBlank()) {
            request.header("x-functions-key", key);
        }
        if (continuationToken != null && !continuationToken.isBlank()) {
            request.header("x-ms-continuation-token", continuationToken);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new RemoteRequestException(0, "Cannot connect to " + base + ". Is 'taskhub serve' running there?");
        } catch (IOException e) {
            throw new RemoteRequestException(0, "Request to " + base + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteRequestException(0, "Interrupted while waiting for " + base + ".");
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status >= 400) {
            String message = json != null && json.hasNonNull("message") ? json.get("message").asText() : "HTTP " + status;
            if (status == 401) {
                message = "The server refused the key (HTTP 401). Pass --key or set " + KEY_ENV + " to the key 'taskhub serve' printed.";
            }
            throw new RemoteRequestException(status, message);
        }
        return new Reply(json, response.headers().firstValue("x-ms-continuation-token").orElse(null));
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static void add(List<String> query, String name, Instant value) {
        if (value != null) {
            query.add(name + "=" + encode(value.toString()));
        }
    }

    private static String segment(String value) {
        return encode(value);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

package dev.taskhub.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.http.WireFormat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.taskhub.client.http.WireFields.json;
import static dev.taskhub.client.http.WireFields.malformed;
import static dev.taskhub.client.http.WireFields.requireObject;
import static dev.taskhub.client.http.WireFields.text;
import static dev.taskhub.client.http.WireFormat.time;

/**
 * The JSON of bulk jobs in the HTTP management API (a Taskhub extension), written by the server and read by the
 * command line's {@code --url} mode. It lives beside the job types rather than beside the client's {@link WireFormat}:
 * jobs build on the client, not the other way round. Field names follow the API's style: {@code createdTimeFrom},
 * {@code runtimeStatus} (wire names), operations by their wire names ({@code raise-event}), states in PascalCase.
 */
public final class BulkJobWireFormat {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BulkJobWireFormat() {}

    /** A job request: {@code {"operation": "terminate", "runtimeStatus": ["Running"], "name": ..., ...}}. */
    public static ObjectNode request(BulkJobRequest r) {
        ObjectNode n = NODES.objectNode();
        n.put("jobId", r.jobId());
        n.put("operation", r.operation().wireName());
        n.put("createdTimeFrom", time(r.createdFrom()));
        n.put("createdTimeTo", time(r.createdTo()));
        ArrayNode statuses = n.putArray("runtimeStatus");
        r.statuses().stream().map(RuntimeStatus::wireName).sorted().forEach(statuses::add);
        n.put("instanceIdPrefix", r.instanceIdPrefix());
        n.put("name", r.name());
        n.put("reason", r.reason());
        n.put("eventName", r.eventName());
        n.set("eventData", WireFormat.value(r.eventData()));
        n.put("pageSize", r.pageSize());
        n.put("maxPerSecond", r.maxPerSecond());
        return n;
    }

    /** Reads {@link #request}; absent fields take their defaults; throws {@link InvalidRequestException} naming what is wrong. */
    public static BulkJobRequest readRequest(JsonNode n) {
        requireObject(n, "a bulk job request");
        String operation = text(n, "operation");
        if (operation == null) {
            throw new InvalidRequestException("The bulk job request lacks 'operation': one of terminate, suspend, resume, rewind, "
                    + "restart, raise-event, purge.");
        }
        List<String> statuses = new ArrayList<>();
        JsonNode s = n.path("runtimeStatus");
        if (s.isArray()) {
            s.forEach(v -> statuses.add(v.asText()));
        } else if (s.isTextual()) {
            statuses.add(s.asText());
        }
        return BulkJobRequest.builder(BulkOperation.parse(operation))
                .jobId(text(n, "jobId"))
                .createdFrom(instant(n, "createdTimeFrom"))
                .createdTo(instant(n, "createdTimeTo"))
                .statuses(WireFormat.parseStatuses(statuses))
                .instanceIdPrefix(text(n, "instanceIdPrefix"))
                .name(text(n, "name"))
                .reason(text(n, "reason"))
                .event(text(n, "eventName"), json(n.get("eventData")))
                .pageSize(number(n, "pageSize", 0))
                .maxPerSecond(n.path("maxPerSecond").asDouble(0))
                .build();
    }

    /** A job: {@code {"jobId", "state", "request", "progress", "createdTime", "lastUpdatedTime", "message"}}. */
    public static ObjectNode job(BulkJob job) {
        ObjectNode n = NODES.objectNode();
        n.put("jobId", job.jobId());
        n.put("state", pascal(job.state().name()));
        n.set("request", request(job.request()));
        BulkJobProgress p = job.progress();
        ObjectNode progress = n.putObject("progress");
        progress.put("expected", p.expected()).put("matched", p.matched()).put("done", p.done())
                .put("skipped", p.skipped()).put("failed", p.failed());
        ArrayNode issues = progress.putArray("issues");
        for (BulkJobProgress.Issue issue : p.issues()) {
            issues.addObject().put("instanceId", issue.instanceId()).put("outcome", pascal(issue.outcome().name()))
                    .put("reason", issue.reason());
        }
        n.put("createdTime", time(job.createdAt()));
        n.put("lastUpdatedTime", time(job.lastUpdatedAt()));
        n.put("message", job.message());
        return n;
    }

    /** Reads {@link #job}. */
    public static BulkJob readJob(JsonNode n) {
        requireObject(n, "a bulk job");
        JsonNode p = n.path("progress");
        requireObject(p, "the progress of a bulk job");
        List<BulkJobProgress.Issue> issues = new ArrayList<>();
        for (JsonNode issue : p.path("issues")) {
            issues.add(new BulkJobProgress.Issue(text(issue, "instanceId"), BulkJobProgress.Outcome.valueOf(upper(text(issue, "outcome"))),
                    text(issue, "reason")));
        }
        BulkJobProgress progress = new BulkJobProgress(p.path("expected").asLong(-1), p.path("matched").asLong(),
                p.path("done").asLong(), p.path("skipped").asLong(), p.path("failed").asLong(), issues);
        String state = text(n, "state");
        if (state == null) {
            throw malformed("a bulk job", "it lacks 'state'");
        }
        return new BulkJob(text(n, "jobId"), readRequest(n.get("request")), BulkJob.State.valueOf(upper(state)), progress,
                instant(n, "createdTime"), instant(n, "lastUpdatedTime"), text(n, "message"));
    }

    /** Jobs as an array of {@link #job}. */
    public static ArrayNode jobs(List<BulkJob> jobs) {
        ArrayNode array = NODES.arrayNode();
        jobs.forEach(job -> array.add(job(job)));
        return array;
    }

    /** Reads {@link #jobs}. */
    public static List<BulkJob> readJobs(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw malformed("a list of bulk jobs", "it is not a JSON array");
        }
        List<BulkJob> jobs = new ArrayList<>();
        array.forEach(n -> jobs.add(readJob(n)));
        return jobs;
    }

    /** The answer to a dry run: {@code {"matched": n}}. */
    public static ObjectNode dryRun(long matched) {
        return NODES.objectNode().put("matched", matched);
    }

    /** Reads {@link #dryRun}. */
    public static long readDryRun(JsonNode n) {
        requireObject(n, "a dry run's answer");
        if (!n.path("matched").canConvertToLong()) {
            throw malformed("a dry run's answer", "it lacks the number 'matched'");
        }
        return n.get("matched").asLong();
    }

    private static int number(JsonNode n, String field, int absent) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.canConvertToInt()) {
            throw new InvalidRequestException("'" + field + "' of the bulk job request must be a whole number, got " + v + ".");
        }
        return v.asInt();
    }

    private static Instant instant(JsonNode n, String field) {
        return WireFormat.parseInstant(text(n, field), "'" + field + "' of the bulk job request");
    }

    private static String pascal(String enumName) {
        return enumName.charAt(0) + enumName.substring(1).toLowerCase(Locale.ROOT);
    }

    private static String upper(String text) {
        return text == null ? "" : text.toUpperCase(Locale.ROOT);
    }
}

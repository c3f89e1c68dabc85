package dev.taskhub.http;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.QuarantineRecordNotFoundException;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.client.http.OperationsWire;
import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.query.StuckQuery;
import io.javalin.http.Context;

/**
 * The stuck-instance and quarantine routes (Taskhub extensions): find stuck instances; list, show, replay and discard
 * quarantine records. Every one needs the system key. Thread-safe.
 */
final class StuckAndQuarantineRoutes {
    private final TaskHubClient client;

    StuckAndQuarantineRoutes(TaskHubClient client) {
        this.client = client;
    }

    void stuck(Context ctx) {
        StuckQuery.Builder query = StuckQuery.builder().threshold(Params.duration(ctx, "threshold"));
        Integer limit = Params.positiveInt(ctx, "limit");
        Integer repeated = Params.positiveInt(ctx, "repeatedDeliveries");
        if (limit != null) {
            query.limit(limit);
        }
        if (repeated != null) {
            query.repeatedDeliveries(repeated);
        }
        StuckQuery built;
        try {
            built = query.build();
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest("Query parameters 'threshold', 'limit', 'repeatedDeliveries': " + e.getMessage());
        }
        Json.write(ctx, 200, OperationsWire.stuck(client.findStuckInstances(built)));
    }

    void listQuarantine(Context ctx) {
        QuarantineQuery.Builder query = QuarantineQuery.builder().instanceId(Params.text(ctx, "instanceId"))
                .continuationToken(ctx.header(ManagementRoute.CONTINUATION_TOKEN_HEADER));
        String kind = Params.text(ctx, "kind");
        if (kind != null && !kind.isBlank()) {
            try {
                query.kind(QuarantineRecord.Kind.parse(kind));
            } catch (InvalidRequestException e) {
                throw ApiException.badRequest("Query parameter 'kind': " + e.getMessage());
            }
        }
        Integer top = Params.positiveInt(ctx, "top");
        if (top != null) {
            query.pageSize(Math.min(top, QuarantineQuery.MAX_PAGE_SIZE));
        }
        QuarantinePage page = client.listQuarantineRecords(query.build());
        if (page.continuationToken() != null) {
            ctx.header(ManagementRoute.CONTINUATION_TOKEN_HEADER, page.continuationToken());
        }
        Json.write(ctx, 200, OperationsWire.records(page.records()));
    }

    void getQuarantineRecord(Context ctx) {
        String id = ctx.pathParam("recordId");
        Json.write(ctx, 200, OperationsWire.record(client.getQuarantineRecord(id)
                .orElseThrow(() -> new QuarantineRecordNotFoundException(id))));
    }

    /** 200 with what the replay did; 404 for an unknown record; 409 when the instance can do nothing with the messages. */
    void replay(Context ctx) {
        Json.write(ctx, 200, OperationsWire.replay(client.replayQuarantineRecord(ctx.pathParam("recordId"))));
    }

    /** 200 with {@code {"recordId", "discarded": true}}; 404 for an unknown record. */
    void discard(Context ctx) {
        String id = ctx.pathParam("recordId");
        client.discardQuarantineRecord(id);
        Json.write(ctx, 200, OperationsWire.discarded(id));
    }
}

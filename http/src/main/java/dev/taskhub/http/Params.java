package dev.taskhub.http;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.query.Ages;
import dev.taskhub.client.http.ManagementRoute;
import dev.taskhub.client.http.WireFormat;
import io.javalin.http.Context;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Reads and validates query parameters; a bad value is a 400 naming the parameter. A handler may read only the
 * parameters the route table lists for its route: reading another is a programming error (a 500), so a handler and
 * the table cannot drift apart unnoticed.
 */
final class Params {
    private Params() {}

    /** The raw value, or null when absent. */
    static String text(Context ctx, String name) {
        return ctx.queryParam(declared(ctx, name));
    }

    /** Every value of a repeated parameter. */
    static List<String> all(Context ctx, String name) {
        return ctx.queryParams(declared(ctx, name));
    }

    private static String declared(Context ctx, String name) {
        ManagementRoute route = ctx.attribute(ManagementRoutes.ROUTE);
        if (route == null) {
            throw new IllegalStateException("Query parameter '" + name + "' read outside a route of the route table.");
        }
        try {
            return route.queryParameter(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    static boolean bool(Context ctx, String name, boolean defaultValue) {
        String v = text(ctx, name);
        if (v == null) {
            return defaultValue;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes":
                return true;
            case "false", "0", "no":
                return false;
            default:
                throw ApiException.badRequest("Query parameter '" + name + "' must be true or false, got '" + v + "'.");
        }
    }

    static Instant instant(Context ctx, String name) {
        try {
            return WireFormat.parseInstant(text(ctx, name), "Query parameter '" + name + "'");
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    static Integer positiveInt(Context ctx, String name) {
        String v = text(ctx, name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw ApiException.badRequest("Query parameter '" + name + "' must be a whole number greater than 0, got '" + v + "'.");
    }

    /** A duration as {@code 5m}, {@code 30s}, {@code 2h} or ISO 8601 ({@code PT5M}); null when absent. */
    static Duration duration(Context ctx, String name) {
        String v = text(ctx, name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Ages.parse(v, "Query parameter '" + name + "'");
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** A number of seconds (decimals allowed) between 0 and {@code max}; null when absent. */
    static Duration seconds(Context ctx, String name, long maxSeconds) {
        String v = text(ctx, name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            double s = Double.parseDouble(v.trim());
            if (s >= 0 && s <= maxSeconds && !Double.isNaN(s)) {
                return Duration.ofMillis(Math.round(s * 1000));
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw ApiException.badRequest("Query parameter '" + name + "' must be a number of seconds from 0 to " + maxSeconds
                + ", got '" + v + "'.");
    }
}

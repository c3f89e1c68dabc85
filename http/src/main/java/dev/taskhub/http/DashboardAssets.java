package dev.taskhub.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard's static files: the HTML shell at {@code /} and its script and style sheet under {@code /dashboard/}.
 * They hold no data of the hub (the script loads everything with the key the user types), so they are the only
 * paths served without the key besides the OpenAPI documents and the health status. Each answer carries a strict
 * Content-Security-Policy: scripts, styles and data calls from this origin only, no inline script or style, no
 * framing, no plugins. Immutable and thread-safe.
 */
final class DashboardAssets {
    /** The path of the shell. */
    static final String ROOT = "/";
    /** Where the shell's script and style sheet are served. */
    static final String PREFIX = "/dashboard/";

    /** Scripts, styles, images and data calls from this origin only; nothing inline, no frames, no forms elsewhere. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private record Asset(String contentType, byte[] body) {}

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    /** Loads the files, writing the primary base path into the shell (where the script reads it). */
    DashboardAssets(String basePath) {
        String shell = read("index.html").replace("${basePath}", escapeAttribute(basePath));
        assets.put(ROOT, new Asset("text/html; charset=utf-8", shell.getBytes(StandardCharsets.UTF_8)));
        assets.put(PREFIX + "app.js", new Asset("text/javascript; charset=utf-8", read("app.js").getBytes(StandardCharsets.UTF_8)));
        assets.put(PREFIX + "app.css", new Asset("text/css; charset=utf-8", read("app.css").getBytes(StandardCharsets.UTF_8)));
    }

    /** The paths served, each exactly (no other spelling of them is public). */
    Set<String> paths() {
        return assets.keySet();
    }

    /** Registers a GET handler per file. */
    void register(RoutesConfig routes) {
        assets.forEach((path, asset) -> routes.get(path, ctx -> serve(ctx, asset)));
    }

    private static void serve(Context ctx, Asset asset) {
        ctx.attribute(Json.WRITTEN, Boolean.TRUE);
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(asset.contentType()).result(asset.body());
    }

    private static String escapeAttribute(String text) {
        return text.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String read(String name) {
        try (InputStream in = DashboardAssets.class.getResourceAsStream("dashboard/" + name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource dashboard/" + name + " in taskhub-http");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read resource dashboard/" + name, e);
        }
    }
}

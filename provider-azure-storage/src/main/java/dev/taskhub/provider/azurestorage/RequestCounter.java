package dev.taskhub.provider.azurestorage;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import reactor.core.publisher.Mono;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts storage requests (every try, retries included) per operation type, e.g. {@code queue.receive}. One counter
 * is shared by the provider's clients; each client gets a {@link #policy(String)} tagged with its service.
 */
final class RequestCounter {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();
    private static final ThreadLocal<long[]> PER_THREAD = ThreadLocal.withInitial(() -> new long[1]);

    HttpPipelinePolicy policy(String service) {
        return new HttpPipelinePolicy() {
            @Override
            public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
                count(service, context.getHttpRequest());
                return next.process();
            }

            @Override
            public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
                count(service, context.getHttpRequest());
                return next.processSync();
            }

            @Override
            public HttpPipelinePosition getPipelinePosition() {
                return HttpPipelinePosition.PER_RETRY;
            }
        };
    }

    private void count(String service, HttpRequest request) {
        counts.computeIfAbsent(service + "." + operation(service, request), k -> new LongAdder()).increment();
        total.increment();
        PER_THREAD.get()[0]++;
    }

    /** Requests made by the current thread so far (for per-episode debug logs). */
    static long threadCount() {
        return PER_THREAD.get()[0];
    }

    long total() {
        return total.sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }

    void reset() {
        counts.clear();
        total.reset();
    }

    static String operation(String service, HttpRequest request) {
        HttpMethod method = request.getHttpMethod();
        String path = request.getUrl().getPath();
        String query = request.getUrl().getQuery() == null ? "" : request.getUrl().getQuery();
        switch (service) {
            case "table":
                if (path.endsWith("$batch")) {
                    return "batch";
                }
                if (path.endsWith("/Tables") || path.contains("/Tables(")) {
                    return "admin";
                }
                if (method == HttpMethod.GET) {
                    return path.contains("PartitionKey=") ? "get" : "query";
                }
                if (method == HttpMethod.POST) {
                    return "insert";
                }
                if (method == HttpMethod.PUT) {
                    return "replace";
                }
                if (method == HttpMethod.DELETE) {
                    return "delete";
                }
                return "merge";
            case "queue":
                if (path.endsWith("/messages")) {
                    return method == HttpMethod.GET ? (query.contains("peekonly") ? "peek" : "receive")
                            : method == HttpMethod.POST ? "send" : "clear";
                }
                if (path.contains("/messages/")) {
                    return method == HttpMethod.DELETE ? "delete" : "update";
                }
                return "admin";
            default:
                if (query.contains("comp=lease")) {
                    return "lease";
                }
                if (query.contains("comp=list")) {
                    return "list";
                }
                if (query.contains("restype=container")) {
                    return "admin";
                }
                if (query.contains("comp=metadata")) {
                    return "metadata";
                }
                if (method == HttpMethod.GET) {
                    return "download";
                }
                if (method == HttpMethod.PUT) {
                    return "upload";
                }
                if (method == HttpMethod.DELETE) {
                    return "delete";
                }
                return "properties";
        }
    }
}

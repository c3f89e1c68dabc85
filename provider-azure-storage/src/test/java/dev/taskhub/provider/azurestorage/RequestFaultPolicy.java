package dev.taskhub.provider.azurestorage;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.UncheckedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fails storage requests of one provider object before they reach the service, as a busy or unreachable account does:
 * each armed failure answers one request attempt with {@code 503 Server Busy} or a client-side timeout. It sits after
 * the SDK's retry policy, so a short burst is absorbed by the provider's retries and a longer one reaches the
 * provider as an error it must survive.
 */
final class RequestFaultPolicy implements HttpPipelinePolicy {
    private final AtomicInteger armed = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();

    /**
     * Fails the next {@code requests} request attempts, unless failures armed earlier are still pending (a stalled
     * provider makes few requests; arming more on top would fail it for good). Returns whether it armed.
     */
    boolean arm(int requests) {
        return armed.compareAndSet(0, requests);
    }

    /** How many request attempts were failed so far. */
    int injected() {
        return injected.get();
    }

    private boolean takeOne() {
        return armed.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        if (!takeOne()) {
            return next.process();
        }
        injected.incrementAndGet();
        if (ThreadLocalRandom.current().nextBoolean()) {
            return Mono.just(serverBusy(context.getHttpRequest()));
        }
        return Mono.error(new UncheckedIOException(new HttpTimeoutException("injected: request timed out")));
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        if (!takeOne()) {
            return next.processSync();
        }
        injected.incrementAndGet();
        if (ThreadLocalRandom.current().nextBoolean()) {
            return serverBusy(context.getHttpRequest());
        }
        throw new UncheckedIOException(new HttpTimeoutException("injected: request timed out"));
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
        return HttpPipelinePosition.PER_RETRY;
    }

    private static HttpResponse serverBusy(HttpRequest request) {
        byte[] body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>Injected: the server is busy.</Message></Error>"
                .getBytes(StandardCharsets.UTF_8);
        HttpHeaders headers = new HttpHeaders().set(HttpHeaderName.CONTENT_TYPE, "application/xml")
                .set(HttpHeaderName.fromString("x-ms-error-code"), "ServerBusy")
                .set(HttpHeaderName.CONTENT_LENGTH, String.valueOf(body.length));
        return new HttpResponse(request) {
            @Override
            public int getStatusCode() {
                return 503;
            }

            @Override
            @Deprecated
            public String getHeaderValue(String name) {
                return headers.getValue(name);
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }

            @Override
            public Flux<ByteBuffer> getBody() {
                return Flux.just(ByteBuffer.wrap(body));
            }

            @Override
            public Mono<byte[]> getBodyAsByteArray() {
                return Mono.just(body);
            }

            @Override
            public Mono<String> getBodyAsString() {
                return Mono.just(new String(body, StandardCharsets.UTF_8));
            }

            @Override
            public Mono<String> getBodyAsString(java.nio.charset.Charset charset) {
                return Mono.just(new String(body, charset));
            }
        };
    }
}

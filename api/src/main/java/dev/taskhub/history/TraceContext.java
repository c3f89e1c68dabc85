package dev.taskhub.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.taskhub.InvalidRequestException;

import java.util.regex.Pattern;

/**
 * A W3C trace context (<a href="https://www.w3.org/TR/trace-context/">Trace Context</a>) carried with a piece of work:
 * the {@code traceparent} header value ({@code 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>}) and the
 * optional {@code tracestate}. Stored in the history events that start work, so that every provider keeps it with no
 * schema of its own and a worker in another process continues the trace. Immutable.
 *
 * @param traceParent the {@code traceparent} value; validated
 * @param traceState  the {@code tracestate} value, or null
 */
public record TraceContext(String traceParent, @JsonInclude(JsonInclude.Include.NON_NULL) String traceState) {
    private static final Pattern TRACE_PARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    public TraceContext {
        if (traceParent == null || !TRACE_PARENT.matcher(traceParent).matches()) {
            throw new InvalidRequestException("traceparent must look like '00-<32 hex digits>-<16 hex digits>-<2 hex digits>' "
                    + "(W3C Trace Context), got '" + traceParent + "'.");
        }
        if (traceState != null && traceState.isBlank()) {
            traceState = null;
        }
    }

    /** The context of a {@code traceparent} header, or null when the header is absent or malformed (it is then ignored, as W3C asks). */
    public static TraceContext parse(String traceParent, String traceState) {
        if (traceParent == null) {
            return null;
        }
        String value = traceParent.trim().toLowerCase(java.util.Locale.ROOT);
        if (!TRACE_PARENT.matcher(value).matches() || value.startsWith("ff")) {
            return null;
        }
        return new TraceContext(value, traceState == null ? null : traceState.trim());
    }

    /** The 32-hex trace id. */
    public String traceId() {
        return traceParent.substring(3, 35);
    }

    /** The 16-hex id of the parent span. */
    public String spanId() {
        return traceParent.substring(36, 52);
    }

    /** Whether the sampled flag is set. */
    public boolean sampled() {
        return (Integer.parseInt(traceParent.substring(53, 55), 16) & 1) == 1;
    }
}

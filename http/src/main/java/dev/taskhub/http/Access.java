package dev.taskhub.http;

/** What a request's key may do: nothing, call the read-only routes only, or everything. */
enum Access {
    NONE, READ_ONLY, FULL
}

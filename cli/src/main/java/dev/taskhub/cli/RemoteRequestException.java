package dev.taskhub.cli;

import dev.taskhub.TaskhubException;

/** The HTTP management API refused a request or could not be reached; the message is the server's or says why. */
final class RemoteRequestException extends TaskhubException {
    private final int status;

    RemoteRequestException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when the server could not be reached. */
    int status() {
        return status;
    }
}

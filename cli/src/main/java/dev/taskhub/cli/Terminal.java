package dev.taskhub.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether stderr is a terminal, so progress lines (with carriage returns) do not end up in logs or captured output. */
final class Terminal {
    private Terminal() {}

    /**
     * On Linux, whether file descriptor 2 is a terminal device; elsewhere, whether the JVM has a console (stdin and
     * stdout are terminals), the best Java 17 can tell.
     */
    static boolean isStderr() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(fd)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return System.console() != null;
    }
}

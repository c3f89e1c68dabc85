package dev.taskhub.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command line uses the HTTP server module ({@code dev.taskhub.http}) only to serve ({@code taskhub serve}): the
 * management subcommands, in both modes, work from the client's types, the route table and the wire format of
 * {@code taskhub-api}. Checked on the compiled classes, whose constant pools name every class they use.
 */
class CliServerDependencyTest {
    private static final byte[] SERVER_PACKAGE = "dev/taskhub/http/".getBytes(StandardCharsets.UTF_8);

    @Test
    void onlyTheServeCommand_usesTheServerModule() throws IOException, URISyntaxException {
        Path classes = Path.of(TaskhubCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(classes).as("the module's compiled classes").isDirectory();
        List<String> users;
        List<String> all;
        try (Stream<Path> files = Files.walk(classes)) {
            all = files.filter(f -> f.toString().endsWith(".class")).map(f -> classes.relativize(f).toString()).sorted().toList();
        }
        users = all.stream().filter(f -> contains(read(classes.resolve(f)), SERVER_PACKAGE)).toList();
        assertThat(all).contains("dev/taskhub/cli/RemoteHub.class", "dev/taskhub/cli/ServeCommand.class");
        assertThat(users).containsExactly("dev/taskhub/cli/ServeCommand.class");
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AssertionError(file.toString(), e);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}

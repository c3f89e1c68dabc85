package dev.taskhub.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a separate JVM process, the way users run it (java -cp … dev.taskhub.cli.TaskhubCli). */
class CliProcessTest {
    record Run(int exitCode, String out, String err) {}

    static List<String> command(String... args) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // as the launcher does for one-shot commands
                "-Djdk.httpclient.allowRestrictedHeaders=content-length", "-cp", classPath, TaskhubCli.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Run run(Path workingDir, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(workingDir.toFile());
        pb.environment().remove("AzureWebJobsStorage");
        Path out = workingDir.resolve("stdout.txt");
        Path err = workingDir.resolve("stderr.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("process finished in time").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void seedExample_startNewWithInputFromFile_worksVerbatim(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("counter-data.json"), "{\"value\": 5}");
        Run r = run(dir, "start-new", "--function-name", "E1_HelloSequence", "--input", "@counter-data.json",
                "--task-hub-name", "TestTaskHub");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Started 'E1_HelloSequence' with instance id ", "TestTaskHub");
        assertThat(r.err()).contains("lives only inside this process").doesNotContain("Exception");
    }

    @Test
    void exitCodes_ofTheRealProcess(@TempDir Path dir) throws Exception {
        Run unknown = run(dir, "no-such-command");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("no-such-command").doesNotContain("\tat ");
        Run unknownId = run(dir, "get-runtime-status", "--id", "nope");
        assertThat(unknownId.exitCode()).isEqualTo(1);
        assertThat(unknownId.err()).contains("Error: No orchestration instance with id 'nope'").doesNotContain("\tat ");
        Run badFlag = run(dir, "purge-history", "--older-than", "3");
        assertThat(badFlag.exitCode()).isEqualTo(2);
    }

    @Test
    void taskhubPropertiesInTheWorkingDirectory_selectsTheProvider(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("taskhub.properties"), "MyStorage=not-a-connection-string\n");
        Run r = run(dir, "get-instances", "--connection-string-setting", "MyStorage");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("No storage provider accepts the connection string");
    }

    @Test
    void demo_inASeparateProcess(@TempDir Path dir) throws Exception {
        Run r = run(dir, "demo");
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]", "All 6 samples completed as expected");
    }

    @Test
    void serve_runsWorkerAndHttpApi_untilStopped(@TempDir Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command("serve", "--port", "0", "--key", "serve-test-key", "--task-hub-name", "ServeTest"))
                .directory(dir.toFile()).redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().remove("AzureWebJobsStorage");
        Process p = pb.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String base = null;
            String line;
            while ((line = out.readLine()) != null) {
                if (line.trim().startsWith("HTTP API:")) {
                    base = line.substring(line.indexOf("http://")).trim();
                }
                if (line.startsWith("Press Ctrl-C")) {
                    break;
                }
            }
            assertThat(base).as("serve printed its URL; stderr: %s", Files.readString(dir.resolve("stderr.txt"))).isNotNull();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/orchestrators/E1_HelloSequence?timeout=20"))
                    .header("x-functions-key", "serve-test-key").POST(HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[\"Hello Tokyo!\",\"Hello Seattle!\",\"Hello London!\"]");
            HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(URI.create(base + "/instances")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(noKey.statusCode()).isEqualTo(401);

            // the command line manages the served (in-memory) task hub through its HTTP API
            Run list = run(dir, "get-instances", "--url", base, "--key", "serve-test-key", "--json");
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).contains("E1_HelloSequence", "Completed");
            Run wrongKey = run(dir, "get-instances", "--url", base, "--key", "wrong");
            assertThat(wrongKey.exitCode()).isEqualTo(1);
            assertThat(wrongKey.err()).contains("401");
        } finally {
            p.destroy();
            boolean ended = p.waitFor(20, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly();
            }
            assertThat(ended).as("serve stopped on SIGTERM").isTrue();
        }
    }
}

package dev.taskhub.spring.boot;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.http.ManagementServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Actuator's health indicator and info contributor, and the HTTP management API on a port of its own. */
class TaskhubActuatorAndHttpTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TaskhubAutoConfiguration.class, TaskhubActuatorAutoConfiguration.class));

    @Test
    void health_isUp_withTheHubsDetails() {
        String hub = TestTasks.hub();
        runner.withPropertyValues("taskhub.hub-name=" + hub).run(context -> {
            Health health = context.getBean(TaskhubHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("hub", hub).containsEntry("provider", "inmemory")
                    .containsEntry("status", "Up").containsKey("storageLatencyMs").doesNotContainKey("problem");
        });
    }

    @Test
    void health_withInstancesNobodyPicksUp_isDegraded_upByDefault_downWhenAsked() {
        for (boolean degradedIsDown : new boolean[]{false, true}) {
            runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.worker.enabled=false",
                    "taskhub.health.pending-threshold=0s", "taskhub.health.degraded-is-down=" + degradedIsDown).run(context -> {
                context.getBean(TaskHubClient.class).scheduleNewOrchestrationInstance("NobodyRunsThis");
                Health health = context.getBean(TaskhubHealthIndicator.class).health();
                assertThat(health.getStatus()).isEqualTo(degradedIsDown ? Status.DOWN : Status.UP);
                assertThat(health.getDetails()).containsEntry("status", "Degraded").containsEntry("stuckPending", "1");
                assertThat((String) health.getDetails().get("problem")).contains("pending");
            });
        }
    }

    @Test
    void info_namesProviderHubVersionAndTheWorkersTasks() {
        String hub = TestTasks.hub();
        runner.withUserConfiguration(TestTasks.class).withPropertyValues("taskhub.hub-name=" + hub).run(context -> {
            Info.Builder builder = new Info.Builder();
            context.getBean(TaskhubInfoContributor.class).contribute(builder);
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) builder.build().getDetails().get("taskhub");
            assertThat(info).containsEntry("provider", "inmemory").containsEntry("hub", hub);
            assertThat((String) info.get("version")).isNotBlank().isNotEqualTo("unknown").doesNotContain("${");
            @SuppressWarnings("unchecked")
            Map<String, Object> worker = (Map<String, Object>) info.get("worker");
            assertThat(worker).containsEntry("enabled", true);
            assertThat(worker.get("orchestrators")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.ITERABLE).containsExactly("Greeting");
        });
    }

    @Test
    void withoutActuator_noHealthOrInfoBeans() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class)).withPropertyValues("taskhub.hub-name=" + TestTasks.hub())
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TaskHubClient.class)
                        .doesNotHaveBean(TaskhubHealthIndicator.class).doesNotHaveBean(TaskhubInfoContributor.class));
    }

    @Test
    void healthIndicator_canBeTurnedOff() {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "management.health.taskhub.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TaskhubHealthIndicator.class).hasSingleBean(TaskhubInfoContributor.class));
    }

    @Test
    void httpApi_onItsOwnPort_requiresTheKey_andKnowsTheWorkersOrchestrators() {
        runner.withUserConfiguration(TestTasks.class).withPropertyValues("taskhub.hub-name=" + TestTasks.hub(),
                "taskhub.http.enabled=true", "taskhub.http.port=0", "taskhub.http.key=s3cret-key").run(context -> {
            assertThat(context).hasNotFailed();
            ManagementServer server = context.getBean(ManagementServer.class);
            TaskHubClient client = context.getBean(TaskHubClient.class);
            String id = client.scheduleNewOrchestrationInstance("Greeting", "Ada");
            assertThat(client.waitForInstanceCompletion(id, Duration.ofSeconds(20)).runtimeStatus()).isEqualTo(RuntimeStatus.COMPLETED);
            HttpClient http = HttpClient.newHttpClient();
            URI status = URI.create(server.baseUrl() + "/instances/" + id);
            HttpResponse<String> withKey = http.send(HttpRequest.newBuilder(status).header(ManagementServer.KEY_HEADER, "s3cret-key").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withKey.statusCode()).isEqualTo(200);
            assertThat(withKey.body()).contains("\"runtimeStatus\":\"Completed\"").contains("HELLO ADA");
            HttpResponse<String> withoutKey = http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(withoutKey.statusCode()).isEqualTo(401);
            // a start of an orchestrator this application does not run is refused
            HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/orchestrators/NoSuchThing"))
                    .header(ManagementServer.KEY_HEADER, "s3cret-key").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(unknown.statusCode()).isEqualTo(400);
        });
    }

    @Test
    void httpApi_withAFixedPort_isWhereTheClientsManagementUrlsPoint() {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.worker.enabled=false",
                "taskhub.http.enabled=true", "taskhub.http.port=" + freePort(), "taskhub.http.key=k3y").run(context -> {
            ManagementServer server = context.getBean(ManagementServer.class);
            assertThat(context.getBean(TaskHubClient.class).createHttpManagementPayload("abc").statusQueryGetUri())
                    .startsWith(server.baseUrl() + "/instances/abc").contains("code=k3y");
        });
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void theKey_andTheConnectionStringsPassword_neverReachTheLog(CapturedOutput output) {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.http.enabled=true", "taskhub.http.port=0",
                "taskhub.http.key=never-log-this-key").run(context -> {
            assertThat(context).hasNotFailed();
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(context.getBean(ManagementServer.class).baseUrl()
                    + "/instances?code=never-log-this-key")).build(), HttpResponse.BodyHandlers.ofString());
        });
        runner.withPropertyValues("taskhub.connection-string=postgresql://alice:never-log-this-password@127.0.0.1:1/db")
                .run(context -> assertThat(context).hasFailed());
        assertThat(output.toString()).contains("Taskhub HTTP management API").contains("Cannot connect to PostgreSQL at").doesNotContain("never-log-this-key")
                .doesNotContain("never-log-this-password");
    }

    @Test
    void httpEnabled_withoutTaskhubHttpOnTheClassPath_saysWhichDependencyToAdd() {
        runner.withClassLoader(new FilteredClassLoader(ManagementServer.class))
                .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.http.enabled=true", "taskhub.http.key=k")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(new TaskhubFailureAnalyzer().analyze(context.getStartupFailure()).getDescription())
                            .contains("dev.taskhub:taskhub-http");
                });
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

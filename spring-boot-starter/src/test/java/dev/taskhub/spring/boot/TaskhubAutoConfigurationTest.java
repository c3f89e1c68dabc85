package dev.taskhub.spring.boot;

import dev.taskhub.ConfigurationException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.activity.Activity;
import dev.taskhub.client.HttpManagementOptions;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.TaskModule;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.Order;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The auto-configuration on the in-memory provider: beans, property binding, bean discovery, customizers, errors. */
class TaskhubAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TaskhubAutoConfiguration.class, TaskhubActuatorAutoConfiguration.class));

    private static String run(TaskHubClient client, String orchestrator, Object input) {
        String id = client.scheduleNewOrchestrationInstance(orchestrator, input);
        OrchestrationMetadata done = client.waitForInstanceCompletion(id, Duration.ofSeconds(20));
        assertThat(done.runtimeStatus()).as(done.failureDetails().map(Object::toString).orElse("")).isEqualTo(RuntimeStatus.COMPLETED);
        return done.readOutputAs(String.class);
    }

    @Test
    void defaults_inMemoryProvider_client_andStartedWorker_runBeanOrchestrationsToCompletion() {
        runner.withUserConfiguration(TestTasks.class).withPropertyValues("taskhub.hub-name=" + TestTasks.hub()).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(StorageProvider.class).hasSingleBean(TaskHubClient.class)
                    .hasSingleBean(TaskHubWorker.class).hasSingleBean(TaskhubWorkerLifecycle.class);
            assertThat(context.getBean(StorageProvider.class).providerName()).isEqualTo("inmemory");
            assertThat(context.getBean(TaskhubWorkerLifecycle.class).isRunning()).isTrue();
            TaskHubWorker worker = context.getBean(TaskHubWorker.class);
            // each naming rule: @TaskhubOrchestrator/@TaskhubActivity on a @Bean method, on the class, and the bean name
            assertThat(worker.registry().orchestratorNames()).containsExactly("Greeting");
            assertThat(worker.registry().activityNames()).containsExactly("Length", "SayHello", "shout");
            assertThat(run(context.getBean(TaskHubClient.class), "Greeting", "Ada")).isEqualTo("HELLO ADA (9)");
        });
    }

    @Test
    void properties_bindToTheHubAndTheWorkerOptions() {
        String hub = TestTasks.hub();
        runner.withPropertyValues("taskhub.hub-name=" + hub, "taskhub.worker.orchestration-concurrency=3",
                "taskhub.worker.activity-concurrency=5", "taskhub.worker.lock-lease=45s", "taskhub.worker.shutdown-timeout=PT2S",
                "taskhub.worker.max-delivery-count=4", "taskhub.worker.process-activities=false",
                "taskhub.worker.retention-interval=0").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(StorageProvider.class).taskHubName()).isEqualTo(hub);
            var options = context.getBean(TaskHubWorker.class).options();
            assertThat(options.orchestrationConcurrency()).isEqualTo(3);
            assertThat(options.activityConcurrency()).isEqualTo(5);
            assertThat(options.lockLease()).isEqualTo(Duration.ofSeconds(45));
            assertThat(options.shutdownTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(options.maxDeliveryCount()).isEqualTo(4);
            assertThat(options.processActivities()).isFalse();
            assertThat(options.retentionInterval()).isZero();
            // unset values keep the worker's defaults
            assertThat(options.orchestrationBatchSize()).isEqualTo(128);
        });
    }

    @Test
    void providerSettings_mapKebabCaseKeysToTheProvidersCamelCase() {
        TaskhubProperties p = new TaskhubProperties();
        p.getPostgres().put("pool-size", "4");
        p.getPostgres().put("schema", "orders");
        p.getAzureStorage().put("partition-count", "2");
        p.getSettings().put("taskhub.mydb.timeout", "PT5S");
        assertThat(TaskhubStorage.providerSettings(p)).containsEntry("taskhub.postgres.poolSize", "4")
                .containsEntry("taskhub.postgres.schema", "orders").containsEntry("taskhub.azure-storage.partitionCount", "2")
                .containsEntry("taskhub.mydb.timeout", "PT5S");
    }

    @Test
    void providerSettings_bindFromPropertiesInKebabOrCamelCase_andFromEnvironmentStyleNames() {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.postgres.poolSize=3",
                "taskhub.postgres.connect-timeout=PT2S", "taskhub.azure-storage.partitionCount=2").run(context -> {
            var settings = TaskhubStorage.providerSettings(context.getBean(TaskhubProperties.class));
            var config = new dev.taskhub.spi.ProviderConfig("", "h", settings);
            assertThat(config.intSetting("taskhub.postgres.poolSize", 8)).isEqualTo(3);
            assertThat(config.durationSetting("taskhub.postgres.connectTimeout", Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(2));
            assertThat(config.intSetting("taskhub.azure-storage.partitionCount", 4)).isEqualTo(2);
        });
    }

    @Test
    void workerDisabled_givesAClientOnly() {
        runner.withUserConfiguration(TestTasks.class)
                .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.worker.enabled=false").run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(TaskHubClient.class)
                            .doesNotHaveBean(TaskHubWorker.class).doesNotHaveBean(TaskhubWorkerLifecycle.class);
                    TaskHubClient client = context.getBean(TaskHubClient.class);
                    String id = client.scheduleNewOrchestrationInstance("Greeting", "Ada");
                    // nobody runs it here: it stays pending
                    assertThat(client.getInstanceMetadata(id, false, false, false)).get()
                            .extracting(OrchestrationMetadata::runtimeStatus).isEqualTo(RuntimeStatus.PENDING);
                });
    }

    @Test
    void customizers_areApplied_inOrder_afterTheProperties() {
        List<String> calls = new ArrayList<>();
        runner.withUserConfiguration(TestTasks.class)
                .withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.worker.activity-concurrency=5")
                .withBean("second", TaskhubWorkerOptionsCustomizer.class, () -> new SecondOptions(calls))
                .withBean("first", TaskhubWorkerOptionsCustomizer.class, () -> new FirstOptions(calls))
                .withBean(TaskhubWorkerCustomizer.class, () -> builder -> builder
                        .addOrchestrator("FromCustomizer", ctx -> "added by a customizer"))
                .withBean(TaskhubClientCustomizer.class, () -> builder -> builder.httpManagementOptions(
                        builder.httpManagementOptions().toBuilder().baseUrl("https://ops.example.test/api").build()))
                .withBean(TaskModule.class, () -> registry -> registry.addActivity("FromModule", ctx -> "module"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TaskHubWorker worker = context.getBean(TaskHubWorker.class);
                    assertThat(calls).containsExactly("first saw 5", "second saw 7");
                    assertThat(worker.options().activityConcurrency()).isEqualTo(9);
                    assertThat(worker.registry().orchestratorNames()).contains("FromCustomizer", "Greeting");
                    assertThat(worker.registry().activityNames()).contains("FromModule");
                    TaskHubClient client = context.getBean(TaskHubClient.class);
                    assertThat(run(client, "FromCustomizer", null)).isEqualTo("added by a customizer");
                    assertThat(client.createHttpManagementPayload("abc").statusQueryGetUri()).startsWith("https://ops.example.test/api/");
                });
    }

    @Order(1)
    record FirstOptions(List<String> calls) implements TaskhubWorkerOptionsCustomizer {
        @Override
        public void customize(dev.taskhub.worker.WorkerOptions.Builder options) {
            calls.add("first saw " + options.build().activityConcurrency());
            options.activityConcurrency(7);
        }
    }

    @Order(2)
    record SecondOptions(List<String> calls) implements TaskhubWorkerOptionsCustomizer {
        @Override
        public void customize(dev.taskhub.worker.WorkerOptions.Builder options) {
            calls.add("second saw " + options.build().activityConcurrency());
            options.activityConcurrency(9);
        }
    }

    @Test
    void applicationBeans_win_overTheAutoConfiguredOnes() {
        String hub = TestTasks.hub();
        StorageProvider own = dev.taskhub.config.StorageProviders.open("inmemory", dev.taskhub.spi.ProviderConfig.of("", hub));
        own.createTaskHub();
        runner.withBean(StorageProvider.class, () -> own).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(StorageProvider.class)).isSameAs(own);
            assertThat(context.getBean(TaskHubClient.class).provider()).isSameAs(own);
        });
    }

    @Test
    void shutdown_waitsForTheActivityInFlight() {
        AtomicBoolean finished = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Activity<String> slow = ctx -> {
            started.countDown();
            Thread.sleep(1_500);
            finished.set(true);
            return "done";
        };
        Orchestrator<String> callsSlow = ctx -> ctx.callActivity("Slow", null, String.class).await();
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.worker.shutdown-timeout=10s")
                .withBean("Slow", Activity.class, () -> slow).withBean("CallsSlow", Orchestrator.class, () -> callsSlow)
                .run(context -> {
                    context.getBean(TaskHubClient.class).scheduleNewOrchestrationInstance("CallsSlow");
                    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
                    TaskhubWorkerLifecycle lifecycle = context.getBean(TaskhubWorkerLifecycle.class);
                    long t0 = System.nanoTime();
                    context.close();
                    assertThat(finished).as("the running activity finished before the context closed").isTrue();
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(500));
                    assertThat(lifecycle.isRunning()).isFalse();
                });
    }

    // ---------------------------------------------------------------- bad configuration

    private static FailureAnalysis analysis(Throwable failure) {
        FailureAnalysis analysis = new TaskhubFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("a Taskhub failure analysis for " + failure).isNotNull();
        return analysis;
    }

    @Test
    void unknownProvider_failsWithTheListOfProviders() {
        runner.withPropertyValues("taskhub.provider=nosuch").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(ConfigurationException.class);
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("No storage provider named 'nosuch'").contains("inmemory");
            assertThat(analysis.getAction()).contains("taskhub.");
        });
    }

    @Test
    void connectionStringNoProviderAccepts_failsWithoutEchoingTheSecret() {
        runner.withPropertyValues("taskhub.connection-string=mongodb://admin:hunter2@db/x").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("No storage provider accepts").doesNotContain("hunter2");
        });
    }

    @Test
    void workerOptionOutOfRange_namesTheProperty() {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.worker.orchestration-concurrency=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(analysis(context.getStartupFailure()).getDescription())
                    .contains("taskhub.worker.orchestration-concurrency").contains("at least 1");
        });
    }

    @Test
    void propertyOfTheWrongType_failsInBinding_namingTheProperty() {
        runner.withPropertyValues("taskhub.worker.orchestration-concurrency=many").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("taskhub.worker.orchestration-concurrency");
        });
    }

    @Test
    void blankHubName_isRefused() {
        runner.withPropertyValues("taskhub.hub-name= ").run(context -> {
            assertThat(context).hasFailed();
            assertThat(analysis(context.getStartupFailure()).getDescription()).contains("task hub name is empty");
        });
    }

    @Test
    void twoBeansWithOneTaskName_failWithBothNamed() {
        runner.withUserConfiguration(TestTasks.class).withPropertyValues("taskhub.hub-name=" + TestTasks.hub())
                .withBean("otherHello", Activity.class, () -> new AlsoSayHello()).run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(analysis(context.getStartupFailure()).getDescription())
                            .contains("'SayHello'").contains("already registered").contains("@TaskhubActivity");
                });
    }

    @TaskhubActivity("SayHello")
    static class AlsoSayHello implements Activity<String> {
        @Override
        public String run(dev.taskhub.activity.ActivityContext ctx) {
            return "hi";
        }
    }

    @Test
    void httpEnabledWithoutKey_explainsWhatToSet() {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.http.enabled=true").run(context -> {
            assertThat(context).hasFailed();
            assertThat(analysis(context.getStartupFailure()).getDescription())
                    .contains("taskhub.http.key").contains("taskhub.http.disable-authentication");
        });
    }

    @Test
    void defaultManagementUrls_pointAtTheDefaultBaseUrl() {
        runner.withPropertyValues("taskhub.hub-name=" + TestTasks.hub(), "taskhub.worker.enabled=false").run(context ->
                assertThat(context.getBean(TaskHubClient.class).createHttpManagementPayload("x").statusQueryGetUri())
                        .startsWith(HttpManagementOptions.DEFAULT_BASE_URL));
    }
}

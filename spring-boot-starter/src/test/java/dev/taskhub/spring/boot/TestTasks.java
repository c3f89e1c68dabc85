package dev.taskhub.spring.boot;

import dev.taskhub.activity.Activity;
import dev.taskhub.orchestration.Orchestrator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Locale;
import java.util.UUID;

/** Orchestrator and activity beans named each way the starter supports. */
@Configuration(proxyBeanMethods = false)
class TestTasks {
    /** Named by the annotation on its @Bean method. */
    @Bean
    @TaskhubOrchestrator("Greeting")
    Orchestrator<String> greetingOrchestrator() {
        return ctx -> {
            String name = ctx.getInput(String.class);
            String hello = ctx.callActivity("SayHello", name, String.class).await();
            String loud = ctx.callActivity("shout", hello, String.class).await();
            int length = ctx.callActivity("Length", loud, Integer.class).await();
            return loud + " (" + length + ")";
        };
    }

    @Bean
    @TaskhubActivity("SayHello")
    Activity<String> sayHelloActivity() {
        return ctx -> "Hello " + ctx.getInput(String.class);
    }

    /** Named by its bean name. */
    @Bean
    Activity<String> shout() {
        return ctx -> ctx.getInput(String.class).toUpperCase(Locale.ROOT);
    }

    /** Named by the annotation on its class. */
    @Bean
    LengthActivity lengthActivity() {
        return new LengthActivity();
    }

    @TaskhubActivity("Length")
    static class LengthActivity implements Activity<Integer> {
        @Override
        public Integer run(dev.taskhub.activity.ActivityContext ctx) {
            return ctx.getInput(String.class).length();
        }
    }

    /** A task hub name of its own for each test: in-memory hubs of one name are shared in the JVM. */
    static String hub() {
        return "starter" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}

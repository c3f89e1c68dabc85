package dev.taskhub.spring.boot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real SpringApplication with a bad property: Spring Boot's failure report carries Taskhub's message. */
@ExtendWith(OutputCaptureExtension.class)
class TaskhubStartupFailureTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void badProvider_isReportedWithTheFixAndWithoutAStackTrace(CapturedOutput output) {
        assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties("taskhub.provider=postgress", "taskhub.hub-name=" + TestTasks.hub()).run())
                .hasRootCauseInstanceOf(dev.taskhub.ConfigurationException.class);
        String report = output.toString().substring(output.toString().indexOf("APPLICATION FAILED TO START"));
        assertThat(report).contains("Taskhub is not configured correctly: No storage provider named 'postgress'")
                .contains("Available:").contains("Check the taskhub.* properties")
                .doesNotContain("\tat dev.taskhub");
    }
}

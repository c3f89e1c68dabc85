package dev.taskhub.spring.boot;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Spring Boot's Flyway auto-configuration is turned off only where it cannot work and the application said nothing. */
class FlywayCompatibilityEnvironmentPostProcessorTest {
    private final FlywayCompatibilityEnvironmentPostProcessor processor = new FlywayCompatibilityEnvironmentPostProcessor();

    @Test
    void flyway13OnTheClassPath_turnsBootsFlywayOff_byDefault() {
        assertThat(FlywayCompatibilityEnvironmentPostProcessor.flywayBootCannotDrive(getClass().getClassLoader())).isTrue();
        StandardEnvironment environment = new StandardEnvironment();
        processor.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("spring.flyway.enabled")).isEqualTo("false");
    }

    @Test
    void theApplicationsOwnSetting_wins() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("application", Map.of("spring.flyway.enabled", "true")));
        processor.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("spring.flyway.enabled")).isEqualTo("true");
        assertThat(environment.getPropertySources().contains(FlywayCompatibilityEnvironmentPostProcessor.SOURCE)).isFalse();
    }

    @Test
    void withoutFlyway_nothingChanges() {
        ClassLoader noFlyway = new ClassLoader(null) {
        };
        assertThat(FlywayCompatibilityEnvironmentPostProcessor.flywayBootCannotDrive(noFlyway)).isFalse();
    }
}

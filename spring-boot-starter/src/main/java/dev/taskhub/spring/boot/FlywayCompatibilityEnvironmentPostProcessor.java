package dev.taskhub.spring.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * The PostgreSQL provider migrates its tables with Flyway 13, which Spring Boot 3.5's own Flyway auto-configuration
 * cannot drive (it calls {@code FluentConfiguration.cleanOnValidationError}, removed in Flyway 11): with
 * taskhub-provider-postgres on the class path, every application would fail to start. So when that Flyway is on
 * the class path and the application did not set {@code spring.flyway.enabled} itself, this turns Spring Boot's Flyway
 * auto-configuration off, as the lowest-priority default. Taskhub's own migrations do not depend on it. Registered in
 * {@code META-INF/spring.factories}.
 */
public class FlywayCompatibilityEnvironmentPostProcessor implements EnvironmentPostProcessor {
    static final String PROPERTY = "spring.flyway.enabled";
    static final String SOURCE = "taskhubFlywayCompatibility";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty(PROPERTY) || !flywayBootCannotDrive(getClass().getClassLoader())) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE, Map.of(PROPERTY, "false")));
    }

    /** Whether a Flyway is on the class path whose configuration lacks what Spring Boot 3.5 calls. */
    static boolean flywayBootCannotDrive(ClassLoader classLoader) {
        try {
            Class<?> fluent = Class.forName("org.flywaydb.core.api.configuration.FluentConfiguration", false, classLoader);
            fluent.getMethod("cleanOnValidationError", boolean.class);
            return false;
        } catch (ClassNotFoundException e) {
            return false;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }
}

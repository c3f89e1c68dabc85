package dev.taskhub.spring.boot;

import dev.taskhub.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a Taskhub {@link ConfigurationException} during start-up (no provider for the connection string, a bad
 * provider setting or worker option, an HTTP API without a key) into Spring Boot's "APPLICATION FAILED TO START"
 * report: the message, which says what is wrong and how to fix it, without a stack trace. Registered in
 * {@code META-INF/spring.factories}.
 */
public class TaskhubFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis("Taskhub is not configured correctly: " + cause.getMessage(),
                "Check the taskhub.* properties of the application (see docs/spring-boot.md for the list).", cause);
    }
}

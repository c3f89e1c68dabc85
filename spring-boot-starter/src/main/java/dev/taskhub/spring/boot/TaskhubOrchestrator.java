package dev.taskhub.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the orchestrator a bean registers with the auto-configured worker. Put it on a class that implements
 * {@link dev.taskhub.orchestration.Orchestrator} and is a bean (for example a {@code @Component}), or on the
 * {@code @Bean} method that returns one. Without it, an {@code Orchestrator} bean is registered under its bean name.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface TaskhubOrchestrator {
    /** The orchestrator name that clients start, e.g. {@code "ProcessOrder"}. Empty means the bean name. */
    String value() default "";
}

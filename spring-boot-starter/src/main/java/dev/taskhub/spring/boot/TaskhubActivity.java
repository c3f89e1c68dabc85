package dev.taskhub.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the activity a bean registers with the auto-configured worker. Put it on a class that implements
 * {@link dev.taskhub.activity.Activity} and is a bean (for example a {@code @Component}), or on the {@code @Bean}
 * method that returns one. Without it, an {@code Activity} bean is registered under its bean name.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface TaskhubActivity {
    /** The activity name that orchestrators call, e.g. {@code "ChargeCard"}. Empty means the bean name. */
    String value() default "";
}

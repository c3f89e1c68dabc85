package dev.taskhub.spring.boot;

import dev.taskhub.ConfigurationException;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.activity.Activity;
import dev.taskhub.convert.DataConverter;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.worker.TaskHubWorker;
import dev.taskhub.worker.TaskModule;
import dev.taskhub.worker.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the auto-configured worker: options from the properties, the task beans, then the customizers. */
final class TaskhubWorkerFactory {
    private static final Logger log = LoggerFactory.getLogger(TaskhubWorkerFactory.class);
    private static final Pattern LEADING_NAME = Pattern.compile("^([a-z][A-Za-z]*) ");

    private TaskhubWorkerFactory() {}

    /** The worker options: the defaults, the set {@code taskhub.worker.*} properties, the converter, the customizers. */
    static WorkerOptions options(TaskhubProperties.Worker p, DataConverter dataConverter, List<TaskhubWorkerOptionsCustomizer> customizers) {
        WorkerOptions.Builder b = WorkerOptions.defaults().toBuilder();
        set(p.getOrchestrationConcurrency(), b::orchestrationConcurrency);
        set(p.getOrchestrationBatchSize(), b::orchestrationBatchSize);
        set(p.getActivityConcurrency(), b::activityConcurrency);
        set(p.getActivityBatchSize(), b::activityBatchSize);
        set(p.getLockLease(), b::lockLease);
        set(p.getPollWait(), b::pollWait);
        set(p.getMaxDeliveryCount(), b::maxDeliveryCount);
        set(p.getHistoryCacheSize(), b::historyCacheSize);
        set(p.getShutdownTimeout(), b::shutdownTimeout);
        set(p.getProcessActivities(), b::processActivities);
        set(p.getRetentionInterval(), b::retentionInterval);
        set(p.getRetentionBatchSize(), b::retentionBatchSize);
        if (dataConverter != null) {
            b.dataConverter(dataConverter);
        }
        customizers.forEach(c -> c.customize(b));
        try {
            return b.build();
        } catch (InvalidRequestException e) {
            // the options name the field (orchestrationConcurrency); the user wrote a property
            Matcher m = LEADING_NAME.matcher(e.getMessage());
            String property = m.find() ? "taskhub.worker." + kebabCase(m.group(1)) : "taskhub.worker.*";
            throw new ConfigurationException("Invalid value of " + property + ": " + e.getMessage()
                    + " Fix the property (or the TaskhubWorkerOptionsCustomizer that set it).", e);
        }
    }

    /** The worker builder with the options, every orchestrator, activity and module bean, and the customizers applied. */
    static TaskHubWorker.Builder builder(StorageProvider provider, WorkerOptions options, TaskhubProperties.Worker p,
                                        ListableBeanFactory beans, List<TaskModule> modules, List<TaskhubWorkerCustomizer> customizers) {
        TaskHubWorker.Builder builder = TaskHubWorker.builder(provider).options(options);
        register(beans, Orchestrator.class, TaskhubOrchestrator.class, TaskhubOrchestrator::value, "orchestrator",
                (name, bean) -> builder.addOrchestrator(name, bean));
        register(beans, Activity.class, TaskhubActivity.class, TaskhubActivity::value, "activity",
                (name, bean) -> builder.addActivity(name, bean));
        modules.forEach(builder::addModule);
        if (p.isModulesFromClassPath()) {
            builder.addModulesFromClassPath();
        }
        customizers.forEach(c -> c.customize(builder));
        return builder;
    }

    @FunctionalInterface
    private interface Registration<T> {
        void add(String name, T bean);
    }

    private static <T, A extends Annotation> void register(ListableBeanFactory beans, Class<T> type, Class<A> annotation,
                                                           Function<A, String> value, String what, Registration<T> registration) {
        Map<String, T> found = beans.getBeansOfType(type);
        found.forEach((beanName, bean) -> {
            A named = beans.findAnnotationOnBean(beanName, annotation);
            String name = named != null && !value.apply(named).isBlank() ? value.apply(named).trim() : beanName;
            try {
                registration.add(name, bean);
            } catch (InvalidRequestException e) {
                throw new ConfigurationException("Cannot register the " + what + " bean '" + beanName + "' as '" + name
                        + "': " + e.getMessage() + " Give it another name with @Taskhub"
                        + Character.toUpperCase(what.charAt(0)) + what.substring(1) + "(\"...\").", e);
            }
            log.debug("Registered {} '{}' (bean '{}')", what, name, beanName);
        });
    }

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    static String kebabCase(String camel) {
        StringBuilder out = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                out.append('-').append(Character.toLowerCase(ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }
}

package dev.taskhub.worker;

import dev.taskhub.activity.Activity;
import dev.taskhub.internal.EngineOptions;
import dev.taskhub.internal.Registrations;
import dev.taskhub.orchestration.Orchestrator;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Hands the worker's registry and options to the engine, which does not depend on this package. */
final class EngineBridge {
    private EngineBridge() {}

    /** The user's registrations, then the built-in ones (bulk jobs) under their reserved names. */
    static Registrations registrations(TaskRegistry registry, Map<String, Orchestrator<?>> builtInOrchestrators,
                                       Map<String, Activity<?>> builtInActivities) {
        return new Registrations() {
            @Override
            public Optional<Orchestrator<?>> orchestrator(String name) {
                return registry.orchestrator(name).or(() -> Optional.ofNullable(builtInOrchestrators.get(name)));
            }

            @Override
            public Optional<Activity<?>> activity(String name) {
                return registry.activity(name).or(() -> Optional.ofNullable(builtInActivities.get(name)));
            }

            @Override
            public Set<String> orchestratorNames() {
                return registry.orchestratorNames();
            }

            @Override
            public Set<String> activityNames() {
                return registry.activityNames();
            }
        };
    }

    static EngineOptions engineOptions(WorkerOptions o) {
        return new EngineOptions(o.orchestrationConcurrency(), o.orchestrationBatchSize(), o.activityConcurrency(),
                o.activityBatchSize(), o.lockLease(), o.pollWait(), o.maxDeliveryCount(), o.historyCacheSize(),
                o.shutdownTimeout(), o.processActivities(), o.dataConverter(), o.retentionInterval(), o.retentionBatchSize(),
                o.observer());
    }
}

package dev.taskhub.internal;

import dev.taskhub.activity.Activity;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.worker.TaskRegistry;

import java.util.Optional;
import java.util.Set;

/** A worker registry seen as the engine sees it. */
final class TestRegistrations implements Registrations {
    private final TaskRegistry registry;

    TestRegistrations(TaskRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Optional<Orchestrator<?>> orchestrator(String name) {
        return registry.orchestrator(name);
    }

    @Override
    public Optional<Activity<?>> activity(String name) {
        return registry.activity(name);
    }

    @Override
    public Set<String> orchestratorNames() {
        return registry.orchestratorNames();
    }

    @Override
    public Set<String> activityNames() {
        return registry.activityNames();
    }
}

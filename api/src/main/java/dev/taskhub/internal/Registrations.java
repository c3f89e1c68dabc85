package dev.taskhub.internal;

import dev.taskhub.activity.Activity;
import dev.taskhub.orchestration.Orchestrator;

import java.util.Optional;
import java.util.Set;

/** What the engine needs of a worker's registry: orchestrators and activities by name. */
public interface Registrations {
    Optional<Orchestrator<?>> orchestrator(String name);

    Optional<Activity<?>> activity(String name);

    Set<String> orchestratorNames();

    Set<String> activityNames();
}

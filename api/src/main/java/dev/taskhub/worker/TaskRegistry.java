package dev.taskhub.worker;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.activity.Activity;
import dev.taskhub.orchestration.Orchestrator;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Orchestrators and activities by name. Names are case-sensitive. Thread-safe; register everything before the
 * worker starts.
 */
public final class TaskRegistry {
    private final Map<String, Orchestrator<?>> orchestrators = new ConcurrentHashMap<>();
    private final Map<String, Activity<?>> activities = new ConcurrentHashMap<>();

    public TaskRegistry addOrchestrator(String name, Orchestrator<?> orchestrator) {
        requireName(name);
        if (orchestrators.putIfAbsent(name, orchestrator) != null) {
            throw new InvalidRequestException("An orchestrator named '" + name + "' is already registered.");
        }
        return this;
    }

    public TaskRegistry addActivity(String name, Activity<?> activity) {
        requireName(name);
        if (activities.putIfAbsent(name, activity) != null) {
            throw new InvalidRequestException("An activity named '" + name + "' is already registered.");
        }
        return this;
    }

    /** Registers everything that the {@link TaskModule}s on the class path contribute. */
    public TaskRegistry addModulesFromClassPath() {
        ServiceLoader.load(TaskModule.class, TaskRegistry.class.getClassLoader()).forEach(module -> module.register(this));
        return this;
    }

    public Optional<Orchestrator<?>> orchestrator(String name) {
        return Optional.ofNullable(orchestrators.get(name));
    }

    public Optional<Activity<?>> activity(String name) {
        return Optional.ofNullable(activities.get(name));
    }

    public Set<String> orchestratorNames() {
        return new TreeSet<>(orchestrators.keySet());
    }

    public Set<String> activityNames() {
        return new TreeSet<>(activities.keySet());
    }

    /** Names with this prefix belong to Taskhub's built-in orchestrations (bulk jobs). */
    public static final String RESERVED_PREFIX = "taskhub.";

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidRequestException("Orchestrator and activity names must not be empty.");
        }
        if (name.startsWith(RESERVED_PREFIX)) {
            throw new InvalidRequestException("Names starting with '" + RESERVED_PREFIX + "' are reserved for Taskhub's "
                    + "built-in orchestrations; choose another name than '" + name + "'.");
        }
    }
}

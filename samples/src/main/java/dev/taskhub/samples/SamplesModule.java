package dev.taskhub.samples;

import dev.taskhub.worker.TaskModule;
import dev.taskhub.worker.TaskRegistry;

/** Registers every sample; found by hosts through {@link java.util.ServiceLoader}. */
public final class SamplesModule implements TaskModule {
    @Override
    public void register(TaskRegistry registry) {
        HelloSequence.register(registry);
        FanOutFanIn.register(registry);
        HumanApproval.register(registry);
        Counter.register(registry);
        Monitor.register(registry);
    }
}

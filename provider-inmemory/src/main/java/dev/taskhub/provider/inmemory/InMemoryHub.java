package dev.taskhub.provider.inmemory;

import java.time.Clock;

/**
 * One in-memory task hub: the stores over its shared {@link HubState}. Every provider object opened for the hub in
 * this JVM uses the same one.
 */
record InMemoryHub(InstanceRepository instances, HistoryRepository history, QueueStore queues, CheckpointWriter checkpoints,
                   RetentionRepository retention, QuarantineRepository quarantine, StuckFinder stuck) {
    static InMemoryHub create(Clock clock) {
        HubState state = new HubState(clock);
        HistoryRepository history = new HistoryRepository(state);
        QueueStore queues = new QueueStore(state);
        InstanceRepository instances = new InstanceRepository(state, history, queues);
        if (state.virtualClock != null) {
            state.virtualClock.attach(queues::wakeUp);
        }
        return new InMemoryHub(instances, history, queues, new CheckpointWriter(state, instances, history, queues),
                new RetentionRepository(state), new QuarantineRepository(state), new StuckFinder(state, queues));
    }
}

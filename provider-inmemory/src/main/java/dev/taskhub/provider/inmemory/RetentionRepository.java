package dev.taskhub.provider.inmemory;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.RetentionPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The hub's retention policies, in its shared state under the hub lock. Thread-safe. */
final class RetentionRepository {
    private final HubState hub;

    RetentionRepository(HubState hub) {
        this.hub = hub;
    }

    List<RetentionPolicy> list() {
        hub.lock.lock();
        try {
            List<RetentionPolicy> all = new ArrayList<>(hub.retentionPolicies);
            all.sort(RetentionPolicy.ORDER);
            return all;
        } finally {
            hub.lock.unlock();
        }
    }

    void put(RetentionPolicy policy) {
        hub.lock.lock();
        try {
            hub.retentionPolicies.removeIf(policy::sameScope);
            hub.retentionPolicies.add(policy);
        } finally {
            hub.lock.unlock();
        }
    }

    boolean remove(RuntimeStatus status, String orchestrationName) {
        hub.lock.lock();
        try {
            return hub.retentionPolicies.removeIf(p -> p.status() == status && Objects.equals(p.orchestrationName(), orchestrationName));
        } finally {
            hub.lock.unlock();
        }
    }

    void clear() {
        hub.lock.lock();
        try {
            hub.retentionPolicies.clear();
        } finally {
            hub.lock.unlock();
        }
    }
}

package dev.taskhub.provider.inmemory;

import dev.taskhub.query.QuarantinePage;
import dev.taskhub.query.QuarantineQuery;
import dev.taskhub.query.QuarantineRecord;
import dev.taskhub.spi.support.QuarantineRecords;

import java.util.ArrayList;
import java.util.Optional;

/** The hub's quarantine records, in its shared state under the hub lock. Thread-safe. */
final class QuarantineRepository {
    private final HubState hub;

    QuarantineRepository(HubState hub) {
        this.hub = hub;
    }

    void put(QuarantineRecord record) {
        hub.lock.lock();
        try {
            hub.quarantine.put(record.id(), record);
        } finally {
            hub.lock.unlock();
        }
    }

    /** One page; linear in the hub's records (there are few: each is a poison message). */
    QuarantinePage list(QuarantineQuery query) {
        hub.lock.lock();
        try {
            return QuarantineRecords.page(new ArrayList<>(hub.quarantine.values()), query);
        } finally {
            hub.lock.unlock();
        }
    }

    Optional<QuarantineRecord> get(String id) {
        hub.lock.lock();
        try {
            return Optional.ofNullable(hub.quarantine.get(id));
        } finally {
            hub.lock.unlock();
        }
    }

    boolean delete(String id) {
        hub.lock.lock();
        try {
            return hub.quarantine.remove(id) != null;
        } finally {
            hub.lock.unlock();
        }
    }
}

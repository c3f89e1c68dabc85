package dev.taskhub.provider.azurestorage;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.provider.azurestorage.InstanceRepository.InstanceRow;
import dev.taskhub.spi.InstanceState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EpisodeCacheTest {
    private static final Sentinel SENTINEL = Sentinel.of(Map.of("Version", 3L, "Fence", "~fence-x"), null);

    private static InstanceRow row(String id, RuntimeStatus status, String etag, int inputChars) {
        Instant now = Instant.now();
        InstanceState state = InstanceState.builder().instanceId(id).name("o").status(status).input("x".repeat(inputChars))
                .createdAt(now).lastUpdatedAt(now).build();
        return new InstanceRow(state, 3, 0, etag, Map.of("Input", state.input()));
    }

    @Test
    void anEntryIsTakenOnce_andOnlyUnfinishedSmallStatesWithAnEtagAreKept() {
        EpisodeCache cache = new EpisodeCache(1_000_000);
        cache.put("a", 0, SENTINEL, row("a", RuntimeStatus.RUNNING, "e1", 10));
        cache.put("done", 0, SENTINEL, row("done", RuntimeStatus.COMPLETED, "e1", 10));
        cache.put("no-etag", 0, SENTINEL, row("no-etag", RuntimeStatus.RUNNING, null, 10));
        cache.put("large", 0, SENTINEL, row("large", RuntimeStatus.RUNNING, "e1", EpisodeCache.MAX_ENTRY_CHARS));

        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.take("a")).isNotNull().satisfies(e -> assertThat(e.row().etag()).isEqualTo("e1"));
        assertThat(cache.take("a")).as("taken out while the instance is locked").isNull();
    }

    @Test
    void entriesOfAPartitionThatLeftAreDropped_andTheOldestGoFirstWhenFull() {
        EpisodeCache cache = new EpisodeCache(2_500);
        cache.put("p0", 0, SENTINEL, row("p0", RuntimeStatus.RUNNING, "e", 1_000));
        cache.put("p1", 1, SENTINEL, row("p1", RuntimeStatus.RUNNING, "e", 1_000));
        cache.dropPartition(0);
        assertThat(cache.take("p0")).isNull();
        cache.put("p0", 0, SENTINEL, row("p0", RuntimeStatus.RUNNING, "e", 1_000));
        cache.put("p2", 2, SENTINEL, row("p2", RuntimeStatus.RUNNING, "e", 1_000));
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.take("p1")).as("least recently used, evicted").isNull();
    }
}

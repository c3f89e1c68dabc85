package dev.taskhub.transfer;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The import's line runner: every line runs once, drain waits for all, the first unhandled failure stops it. */
class ParallelLinesTest {
    @Test
    void everyLineRunsOnce_andDrainWaitsForAllOfThem() {
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        try (ParallelLines lines = new ParallelLines(4)) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                lines.submit(() -> {
                    mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                    sleep(1);
                    running.decrementAndGet();
                    assertThat(done.add(n)).isTrue();
                });
            }
            lines.drain();
            assertThat(done).hasSize(200);
        }
        assertThat(mostAtOnce.get()).as("never more lines at once than threads").isLessThanOrEqualTo(4);
    }

    @Test
    void anUnhandledFailure_stopsTheImport_atTheNextCall() {
        ParallelLines lines = new ParallelLines(2);
        lines.submit(() -> {
            throw new IllegalStateException("the provider cannot import");
        });
        assertThatThrownBy(lines::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot import");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

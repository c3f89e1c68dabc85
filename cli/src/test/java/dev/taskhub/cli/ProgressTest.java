package dev.taskhub.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The stderr progress line of long operations (purge-history, delete-task-hub). */
class ProgressTest {
    @Test
    void aLongOperation_showsHowFarItGot_andAFailingStatusFallsBackToTheTime() {
        StringWriter text = new StringWriter();
        AtomicLong purged = new AtomicLong();
        long result = Progress.run(new PrintWriter(text), "Purging", () -> {
            for (int i = 0; i < 25; i++) {
                Thread.sleep(100);
                purged.addAndGet(40);
            }
            return purged.get();
        }, () -> String.format("%,d of %,d purged", purged.get(), 1000));
        assertThat(result).isEqualTo(1000);
        assertThat(text.toString()).containsPattern("\\rPurging\\.\\.\\. [0-9]+ of 1,000 purged, [12] s");

        StringWriter plain = new StringWriter();
        Progress.run(new PrintWriter(plain), "Purging", () -> {
            Thread.sleep(1300);
            return 0L;
        }, () -> {
            throw new IllegalStateException("count unavailable");
        });
        assertThat(plain.toString()).contains("\rPurging... 1 s").doesNotContain("unavailable");
    }
}

package dev.taskhub.spi.support;

import dev.taskhub.ConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffAndArgsTest {
    @Test
    void backoff_doublesUpToTheMaximum_andStartsOverOnReset() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));
        assertThat(backoff.nextMillis()).isEqualTo(10);
        assertThat(backoff.nextMillis()).isEqualTo(20);
        assertThat(backoff.nextMillis()).isEqualTo(40);
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(50));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(50));
        backoff.reset();
        assertThat(backoff.nextMillis()).isEqualTo(10);
    }

    @Test
    void backoff_withAMaximumBelowTheMinimum_startsAtTheMinimum_thenKeepsTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(3));
        assertThat(backoff.nextMillis()).isEqualTo(10);
        assertThat(backoff.nextMillis()).isEqualTo(3);
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min must be positive");
    }

    @Test
    void args_returnGoodValues_andNameTheSettingOtherwise() {
        assertThat(Args.between("taskhub.x.poolSize", 8, 1, 200)).isEqualTo(8);
        assertThatThrownBy(() -> Args.between("taskhub.x.poolSize", 0, 1, 200)).isInstanceOf(ConfigurationException.class)
                .hasMessage("Setting 'taskhub.x.poolSize' must be between 1 and 200, got 0.");
        assertThat(Args.atLeast("taskhub.x.batch", 1, 1)).isEqualTo(1);
        assertThatThrownBy(() -> Args.atLeast("taskhub.x.batch", 0, 1))
                .hasMessage("Setting 'taskhub.x.batch' must be at least 1, got 0.");
        assertThat(Args.positive("taskhub.x.poll", Duration.ofMillis(1))).isEqualTo(Duration.ofMillis(1));
        assertThatThrownBy(() -> Args.positive("taskhub.x.poll", Duration.ZERO))
                .hasMessage("Setting 'taskhub.x.poll' must be positive, got PT0S.");
    }
}

package dev.taskhub.spi;

import dev.taskhub.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContinuationTokensTest {
    @Test
    void position_roundTrips_withNanosAndOddIds() {
        Instant at = Instant.parse("2026-11-26T10:00:00.123456789Z");
        String token = ContinuationTokens.encode(at, "id|with.dots|and bars");
        ContinuationTokens.Position p = ContinuationTokens.decode(token);
        assertThat(p.createdAt()).isEqualTo(at);
        assertThat(p.instanceId()).isEqualTo("id|with.dots|and bars");
    }

    @Test
    void tamperedOrGarbageTokens_areRefusedWithAClearMessage() {
        String token = ContinuationTokens.encode(Instant.EPOCH, "abc");
        String tampered = "X" + token.substring(1);
        assertThatThrownBy(() -> ContinuationTokens.decode(tampered)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("continuation token is not valid");
        assertThatThrownBy(() -> ContinuationTokens.decode("garbage")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ContinuationTokens.decodeRaw("!!!.123")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ContinuationTokens.decode(ContinuationTokens.encodeRaw("no separators"))).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void rawTokens_wrapProviderText() {
        assertThat(ContinuationTokens.decodeRaw(ContinuationTokens.encodeRaw("pk=1;rk=2"))).isEqualTo("pk=1;rk=2");
    }
}

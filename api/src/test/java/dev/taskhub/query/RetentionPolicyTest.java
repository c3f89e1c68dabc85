package dev.taskhub.query;

import dev.taskhub.InvalidRequestException;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.client.http.WireFormat;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionPolicyTest {
    @Test
    void ages_readShortFormsAndIso_andWriteTheShortestExactForm() {
        assertThat(Ages.parse("7d", "x")).isEqualTo(Duration.ofDays(7));
        assertThat(Ages.parse(" 12H ", "x")).isEqualTo(Duration.ofHours(12));
        assertThat(Ages.parse("30m", "x")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Ages.parse("45s", "x")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Ages.parse("500ms", "x")).isEqualTo(Duration.ofMillis(500));
        assertThat(Ages.parse("2w", "x")).isEqualTo(Duration.ofDays(14));
        assertThat(Ages.parse("P7D", "x")).isEqualTo(Duration.ofDays(7));
        assertThat(Ages.parse("PT1H30M", "x")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Ages.format(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(Ages.format(Duration.ofHours(36))).isEqualTo("36h");
        assertThat(Ages.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Ages.iso(Duration.ofDays(30))).isEqualTo("P30D");
        assertThat(Ages.iso(Duration.ofHours(36))).isEqualTo("PT36H");
    }

    @Test
    void ages_refuseGarbledZeroNegativeAndHugeAges_namingTheField() {
        for (String bad : List.of("soon", "7 days", "-5d", "d", "P", "7.5d", "1y")) {
            assertThatThrownBy(() -> Ages.parse(bad, "--older-than")).as(bad).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("--older-than").hasMessageContaining("is not an age");
        }
        for (String bad : List.of("0d", "0ms", "PT0S", "-PT1H")) {
            assertThatThrownBy(() -> Ages.parse(bad, "--older-than")).as(bad).hasMessageContaining("must be a positive age");
        }
        assertThatThrownBy(() -> Ages.parse("", "--older-than")).hasMessageContaining("--older-than is required");
        assertThatThrownBy(() -> Ages.parse("36501d", "--older-than")).hasMessageContaining("at most 36500d");
    }

    @Test
    void policy_acceptsOnlyTerminalStatuses_nonBlankNames_andPositiveAges() {
        for (RuntimeStatus status : RuntimeStatus.values()) {
            if (status.isTerminal()) {
                assertThat(RetentionPolicy.of(status, Duration.ofDays(1)).status()).isEqualTo(status);
            } else {
                assertThatThrownBy(() -> RetentionPolicy.of(status, Duration.ofDays(1))).as("%s", status)
                        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("only finished instances are purged")
                        .hasMessageContaining(status.wireName());
            }
        }
        assertThatThrownBy(() -> RetentionPolicy.of(RuntimeStatus.COMPLETED, " ", Duration.ofDays(1))).hasMessageContaining("must not be blank");
        assertThatThrownBy(() -> RetentionPolicy.of(RuntimeStatus.COMPLETED, Duration.ofNanos(999_999))).hasMessageContaining("positive age");
        assertThat(RetentionPolicy.of(RuntimeStatus.FAILED, Duration.ofNanos(1_500_000)).olderThan()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void policies_sortByStatusThenTheEveryNamePolicyThenName_andRoundTripTheWireFormat() {
        List<RetentionPolicy> policies = new ArrayList<>(List.of(
                RetentionPolicy.of(RuntimeStatus.FAILED, Duration.ofDays(30)),
                RetentionPolicy.of(RuntimeStatus.COMPLETED, "b", Duration.ofDays(1)),
                RetentionPolicy.of(RuntimeStatus.COMPLETED, "a", Duration.ofHours(2)),
                RetentionPolicy.of(RuntimeStatus.COMPLETED, Duration.ofDays(7))));
        policies.sort(RetentionPolicy.ORDER);
        assertThat(policies).extracting(RetentionPolicy::describe)
                .containsExactly("Completed after 7d", "Completed of a after 2h", "Completed of b after 1d", "Failed after 30d");
        assertThat(WireFormat.readRetentionPolicies(WireFormat.retentionPolicies(policies))).isEqualTo(policies);

        RetentionReport report = new RetentionReport(List.of(new RetentionReport.Outcome(policies.get(0), 1000, true),
                new RetentionReport.Outcome(policies.get(3), 3, false)));
        RetentionReport read = WireFormat.readRetentionReport(WireFormat.retentionReport(report));
        assertThat(read).isEqualTo(report);
        assertThat(read.total()).isEqualTo(1003);
        assertThat(read.more()).isTrue();
    }
}

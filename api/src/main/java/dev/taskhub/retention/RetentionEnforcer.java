package dev.taskhub.retention;

import dev.taskhub.RuntimeStatus;
import dev.taskhub.query.RetentionPolicy;
import dev.taskhub.query.RetentionReport;
import dev.taskhub.spi.ExpiredInstances;
import dev.taskhub.spi.StorageProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs enforcement passes of a task hub's retention policies: each pass reads the policies and, for each, purges at
 * most {@code limitPerPolicy} instances of its status (and name) that finished longer than its age ago, measured on
 * the given clock. A policy for every name leaves alone the names that have a policy of their own for that status.
 * Because every pass judges ages by the policies as they are now, lowering an age purges the older instances at the
 * next pass.
 *
 * <p>Workers run a pass every {@code WorkerOptions.retentionInterval()}; {@code TaskHubClient.applyRetentionPolicies}
 * runs one on demand. Passes of many processes may overlap: an instance purged by one is simply not counted by the
 * other. Thread-safe; holds no resources (the caller owns the provider).
 */
public final class RetentionEnforcer {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionEnforcer.class);
    /** Instances purged per policy per pass unless told otherwise. */
    public static final int DEFAULT_LIMIT_PER_POLICY = 1000;

    private final StorageProvider provider;
    private final Clock clock;

    /** An enforcer of the provider's hub that judges ages on {@code clock}. */
    public RetentionEnforcer(StorageProvider provider, Clock clock) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * One pass over every policy, purging at most {@code limitPerPolicy} instances per policy; logs each policy that
     * purged something at INFO. Storage failures propagate (as {@link dev.taskhub.StorageException}).
     */
    public RetentionReport runOnce(int limitPerPolicy) {
        if (limitPerPolicy < 1) {
            throw new dev.taskhub.InvalidRequestException("The limit per policy of a retention pass must be at least 1, got "
                    + limitPerPolicy + ".");
        }
        List<RetentionPolicy> policies = provider.retentionPolicies();
        Instant now = clock.instant();
        List<RetentionReport.Outcome> outcomes = new ArrayList<>();
        for (RetentionPolicy policy : policies) {
            Set<String> named = policy.orchestrationName() != null ? Set.of() : namedPolicies(policies, policy.status());
            ExpiredInstances expired = new ExpiredInstances(policy.status(), policy.orchestrationName(), named,
                    now.minus(policy.olderThan()), limitPerPolicy);
            int purged = provider.purgeExpiredInstances(expired);
            if (purged > 0) {
                LOG.info("Retention on task hub '{}': purged {} instance(s) by policy '{}' (finished before {}){}",
                        provider.taskHubName(), purged, policy.describe(), expired.finishedBefore(),
                        purged >= limitPerPolicy ? "; more remain for the next pass" : "");
            }
            outcomes.add(new RetentionReport.Outcome(policy, purged, purged >= limitPerPolicy));
        }
        return new RetentionReport(outcomes);
    }

    private static Set<String> namedPolicies(List<RetentionPolicy> policies, RuntimeStatus status) {
        return policies.stream().filter(p -> p.status() == status && p.orchestrationName() != null)
                .map(RetentionPolicy::orchestrationName).collect(Collectors.toSet());
    }
}

package dev.taskhub.client;

import java.util.List;
import java.util.Optional;

/**
 * One page of {@link TaskHubClient#queryInstances}.
 *
 * @param instances         the instances of this page
 * @param continuationToken the token for the next page, or null when there are no more
 */
public record QueryResult(List<OrchestrationMetadata> instances, String continuationToken) {
    public QueryResult {
        instances = List.copyOf(instances);
    }

    public Optional<String> nextToken() {
        return Optional.ofNullable(continuationToken);
    }
}

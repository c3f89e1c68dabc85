package dev.taskhub.spi;

import java.util.List;
import java.util.Optional;

/**
 * One page of a query, in the provider's stable order (see {@link InstanceStore#queryInstances}).
 *
 * @param instances         the page, at most the requested page size
 * @param continuationToken opaque token for the next page, or null when this is the last page
 */
public record InstancePage(List<InstanceState> instances, String continuationToken) {
    public InstancePage {
        instances = List.copyOf(instances);
    }

    public Optional<String> nextToken() {
        return Optional.ofNullable(continuationToken);
    }
}

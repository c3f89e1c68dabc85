package dev.taskhub.provider.azurestorage;

import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import dev.taskhub.RuntimeStatus;
import dev.taskhub.spi.ExpiredInstances;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Retention's bounded purge on the instances table: one filtered query (status, finish time, name) that the table
 * service evaluates — Tables have no secondary index, so the service scans the table, as Durable Functions' purge
 * does — read until the limit of matches, each match then purged like {@code purgeInstance} (instance row, history,
 * large payloads; an instance purged meanwhile by another process is not counted). Thread-safe.
 */
final class ExpiredInstancePurge {
    private static final DateTimeFormatter ODATA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final TableClient instancesTable;
    private final InstanceRepository instances;

    ExpiredInstancePurge(TableClient instancesTable, InstanceRepository instances) {
        this.instancesTable = instancesTable;
        this.instances = instances;
    }

    int purge(ExpiredInstances expired) {
        List<String> ids = AzureErrors.call("finding expired instances", () -> {
            List<String> found = new ArrayList<>();
            ListEntitiesOptions options = new ListEntitiesOptions().setFilter(filter(expired)).setTop(Math.min(expired.limit(), 1000))
                    .setSelect(List.of("InstanceId", "Name", "RuntimeStatus", "LastUpdatedAt"));
            for (TableEntity e : instancesTable.listEntities(options, null, null)) {
                Map<String, Object> p = e.getProperties();
                // the exact bound is checked on the stored text (the table's times keep 100 ns)
                if (expired.matches(StateCodec.str(p, "Name"), RuntimeStatus.parse(StateCodec.str(p, "RuntimeStatus")),
                        Instant.parse(StateCodec.str(p, "LastUpdatedAt")))) {
                    found.add(StateCodec.str(p, "InstanceId"));
                    if (found.size() >= expired.limit()) {
                        break;
                    }
                }
            }
            return found;
        });
        int purged = 0;
        for (String id : ids) {
            if (instances.purge(id)) {
                purged++;
            }
        }
        return purged;
    }

    static String filter(ExpiredInstances expired) {
        StringBuilder f = new StringBuilder("RuntimeStatus eq ").append(Keys.literal(expired.status().wireName()))
                .append(" and LastUpdatedTime lt datetime'").append(ODATA_TIME.format(expired.finishedBefore().plusNanos(100))).append("'");
        if (expired.orchestrationName() != null) {
            f.append(" and Name eq ").append(Keys.literal(expired.orchestrationName()));
        }
        for (String name : expired.exceptNames().stream().sorted().toList()) {
            f.append(" and Name ne ").append(Keys.literal(name));
        }
        return f.toString();
    }
}

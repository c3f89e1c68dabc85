package dev.taskhub.provider.azurestorage;

import dev.taskhub.ConfigurationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The names of a task hub's tables, queues and containers, derived from the hub name as Durable Functions does.
 * The hub name must be 3-45 letters and digits, starting with a letter: tables allow only letters and digits, and
 * queue/container names (lowercase, with dashes) must stay within 63 characters with the longest suffix.
 */
record HubNames(String hub, String instancesTable, String historyTable, List<String> controlQueues, String workItemQueue,
                String largeMessagesContainer, String leasesContainer) {

    static HubNames of(String hubName, int partitionCount) {
        if (hubName == null || !hubName.matches("[A-Za-z][A-Za-z0-9]{2,44}")) {
            throw new ConfigurationException("The task hub name '" + hubName + "' cannot be used with Azure Storage: it must be "
                    + "3 to 45 characters, only letters and digits, starting with a letter (it becomes part of table, queue "
                    + "and container names). Try '" + suggestion(hubName) + "'.");
        }
        if (partitionCount < 1 || partitionCount > 16) {
            throw new ConfigurationException("Setting '" + AzureSettings.PREFIX + "partitionCount' must be between 1 and 16, got " + partitionCount + ".");
        }
        String lower = hubName.toLowerCase(Locale.ROOT);
        List<String> control = new ArrayList<>();
        for (int i = 0; i < partitionCount; i++) {
            control.add(String.format("%s-control-%02d", lower, i));
        }
        return new HubNames(hubName, hubName + "Instances", hubName + "History", List.copyOf(control), lower + "-workitems",
                lower + "-largemessages", lower + "-leases");
    }

    private static String suggestion(String hubName) {
        String cleaned = hubName == null ? "" : hubName.replaceAll("[^A-Za-z0-9]", "");
        while (!cleaned.isEmpty() && !Character.isLetter(cleaned.charAt(0))) {
            cleaned = cleaned.substring(1);
        }
        if (cleaned.length() < 3) {
            cleaned = "Hub" + cleaned;
        }
        return cleaned.length() > 45 ? cleaned.substring(0, 45) : cleaned;
    }
}

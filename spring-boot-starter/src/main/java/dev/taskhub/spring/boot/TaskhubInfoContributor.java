package dev.taskhub.spring.boot;

import dev.taskhub.client.TaskHubClient;
import dev.taskhub.worker.TaskHubWorker;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Adds {@code taskhub} to Actuator's info endpoint: the storage provider, the task hub, Taskhub's version, and the
 * worker (whether it runs here and the orchestrators and activities it registered). No connection string or key.
 */
public class TaskhubInfoContributor implements InfoContributor {
    private final TaskHubClient client;
    private final TaskHubWorker worker;

    TaskhubInfoContributor(TaskHubClient client, TaskHubWorker worker) {
        this.client = client;
        this.worker = worker;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("provider", client.provider().providerName());
        info.put("hub", client.provider().taskHubName());
        info.put("version", version());
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("enabled", worker != null);
        if (worker != null) {
            w.put("orchestrators", worker.registry().orchestratorNames());
            w.put("activities", worker.registry().activityNames());
            w.put("orchestrationConcurrency", worker.options().orchestrationConcurrency());
            w.put("activityConcurrency", worker.options().activityConcurrency());
        }
        info.put("worker", w);
        builder.withDetail("taskhub", info);
    }

    /** Taskhub's version, from the starter's build. */
    static String version() {
        try (InputStream in = TaskhubInfoContributor.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}

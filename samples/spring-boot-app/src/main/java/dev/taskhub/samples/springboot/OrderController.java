package dev.taskhub.samples.springboot;

import dev.taskhub.client.HttpManagementPayload;
import dev.taskhub.client.OrchestrationMetadata;
import dev.taskhub.client.TaskHubClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/** Starts orders and shows their status, through the auto-configured {@link TaskHubClient}. */
@RestController
public class OrderController {
    private final TaskHubClient client;

    public OrderController(TaskHubClient client) {
        this.client = client;
    }

    /** Starts an order; 202 with its id and where to follow it. */
    @PostMapping("/orders")
    public ResponseEntity<Map<String, Object>> start(@RequestBody Orders.OrderRequest order) {
        String id = client.scheduleNewOrchestrationInstance(ProcessOrder.NAME, order);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", "/orders/" + id);
        HttpManagementPayload management = client.createHttpManagementPayload(id);
        body.put("statusQueryGetUri", management.statusQueryGetUri());
        return ResponseEntity.accepted().location(URI.create("/orders/" + id)).body(body);
    }

    /** The order's runtime status, and its result once completed. */
    @GetMapping("/orders/{id}")
    public ResponseEntity<Map<String, Object>> status(@PathVariable("id") String id) {
        return client.getInstanceMetadata(id, false, false, false).map(this::describe)
                .map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("message", "No order '" + id + "'.")));
    }

    private Map<String, Object> describe(OrchestrationMetadata m) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", m.instanceId());
        body.put("runtimeStatus", m.runtimeStatus().name());
        if (m.serializedOutput() != null && m.runtimeStatus() == dev.taskhub.RuntimeStatus.COMPLETED) {
            body.put("result", m.readOutputAs(Orders.OrderResult.class));
        }
        m.failureDetails().ifPresent(f -> body.put("failure", f.toString()));
        return body;
    }
}

package dev.taskhub.client.http;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagementRouteTest {

    @Test
    void everyRoute_hasItsOwnMethodAndTemplate_andOperationId() {
        assertThat(Arrays.stream(ManagementRoute.values()).map(r -> r.method() + " " + r.path())).doesNotHaveDuplicates();
        assertThat(Arrays.stream(ManagementRoute.values()).map(ManagementRoute::operationId)).doesNotHaveDuplicates();
        for (ManagementRoute route : ManagementRoute.values()) {
            assertThat(route.method()).isIn("GET", "POST", "PUT", "DELETE");
            assertThat(route.path()).startsWith("/").doesNotEndWith("/");
            assertThat(route.queryParameters()).doesNotContainAnyElementsOf(ManagementRoute.COMMON_QUERY_PARAMETERS);
            assertThat(ManagementRoute.find(route.method(), route.path())).contains(route);
        }
        assertThat(ManagementRoute.find("PUT", "/instances")).isEmpty();
    }

    @Test
    void onlyTheOpenApiDocumentAndTheHealthStatus_areServedWithoutTheKey() {
        assertThat(Arrays.stream(ManagementRoute.values()).filter(r -> !r.requiresKey()))
                .containsExactlyInAnyOrder(ManagementRoute.OPENAPI_DOCUMENT, ManagementRoute.HEALTH);
    }

    @Test
    void theReadOnlyRoutes_areExactlyTheGetRoutes() {
        assertThat(Arrays.stream(ManagementRoute.values()).filter(ManagementRoute::readOnly)).allMatch(r -> r.method().equals("GET"))
                .contains(ManagementRoute.GET_STATUS, ManagementRoute.LIST_INSTANCES, ManagementRoute.COUNT_INSTANCES,
                        ManagementRoute.FIND_STUCK_INSTANCES, ManagementRoute.LIST_QUARANTINE_RECORDS, ManagementRoute.GET_QUARANTINE_RECORD,
                        ManagementRoute.LIST_BULK_JOBS, ManagementRoute.GET_BULK_JOB, ManagementRoute.HEALTH, ManagementRoute.WHOAMI);
        assertThat(Arrays.stream(ManagementRoute.values()).filter(r -> !r.readOnly())).allMatch(r -> !r.method().equals("GET"))
                .contains(ManagementRoute.TERMINATE, ManagementRoute.PURGE_INSTANCE, ManagementRoute.START_BULK_JOB,
                        ManagementRoute.REPLAY_QUARANTINE_RECORD, ManagementRoute.DELETE_TASK_HUB);
    }

    @Test
    void pathParameters_comeFromTheTemplate_inOrder() {
        assertThat(ManagementRoute.RAISE_EVENT.pathParameters()).containsExactly("id", "eventName");
        assertThat(ManagementRoute.START_NEW_WITH_ID.pathParameters()).containsExactly("name", "instanceId");
        assertThat(ManagementRoute.LIST_INSTANCES.pathParameters()).isEmpty();
    }

    @Test
    void path_encodesEveryValueAsOneSegment() {
        assertThat(ManagementRoute.RAISE_EVENT.path("a b/c?d#e%", "Ap proval")).isEqualTo("/instances/a%20b%2Fc%3Fd%23e%25/raiseEvent/Ap%20proval");
        assertThat(ManagementRoute.START_NEW_WITH_ID.path("E1", "ü")).isEqualTo("/orchestrators/E1/%C3%BC");
        assertThat(ManagementRoute.LIST_INSTANCES.path()).isEqualTo("/instances");
        assertThatThrownBy(() -> ManagementRoute.RAISE_EVENT.path("only-the-id"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[id, eventName]");
    }

    @Test
    void path_withNamedValues_keepsTheOthersAsPlaceholders() {
        assertThat(ManagementRoute.RAISE_EVENT.path(Map.of("id", "x y"))).isEqualTo("/instances/x%20y/raiseEvent/{eventName}");
        assertThatThrownBy(() -> ManagementRoute.RAISE_EVENT.path(Map.of("instanceId", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("instanceId");
    }

    @Test
    void query_encodesValues_leavesOutNulls_andRefusesParametersTheRouteDoesNotTake() {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("reason", "a b&c=d");
        query.put("recursive", null);
        query.put(ManagementRoute.TASK_HUB_PARAMETER, "Hub");
        assertThat(ManagementRoute.TERMINATE.query(query)).isEqualTo("reason=a%20b%26c%3Dd&taskHub=Hub");
        assertThat(ManagementRoute.TERMINATE.takes("recursive")).isTrue();
        assertThat(ManagementRoute.TERMINATE.takes(ManagementRoute.KEY_PARAMETER)).isTrue();
        assertThat(ManagementRoute.GET_STATUS.takes("reason")).isFalse();
        assertThatThrownBy(() -> ManagementRoute.GET_STATUS.query(Map.of("reason", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GET_STATUS", "reason", "showHistory");
        assertThatThrownBy(() -> ManagementRoute.RESUME.queryParameter("recursive")).isInstanceOf(IllegalArgumentException.class);
    }
}

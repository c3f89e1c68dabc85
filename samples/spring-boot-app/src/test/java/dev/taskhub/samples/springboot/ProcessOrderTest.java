package dev.taskhub.samples.springboot;

import dev.taskhub.testing.TaskhubExtension;
import dev.taskhub.testing.TestTaskHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order orchestration without Spring: the same beans constructed by hand, on taskhub-testing's in-memory hub.
 * Fast, and it needs no database.
 */
class ProcessOrderTest {
    private static final Warehouse WAREHOUSE = new Warehouse();

    @RegisterExtension
    static final TaskhubExtension taskhub = TaskhubExtension.builder()
            .addOrchestrator(ProcessOrder.NAME, new ProcessOrder())
            .addActivity("ReserveInventory", new Activities.ReserveInventory(WAREHOUSE))
            .addActivity("ChargePayment", new Activities.ChargePayment(WAREHOUSE))
            .addActivity("ShipOrder", new Activities.ShipOrder(WAREHOUSE))
            .build();

    @Test
    void order_reservesChargesAndShips_inThatOrder(TestTaskHub hub) {
        String id = hub.start(ProcessOrder.NAME, new Orders.OrderRequest("lamp", 3));
        Orders.OrderResult result = hub.waitForCompletion(id).readOutputAs(Orders.OrderResult.class);
        assertThat(result.totalCents()).isEqualTo(3 * 3_900);
        assertThat(result.trackingNumber()).isEqualTo("TRACK-" + result.reservationId().substring(2).toUpperCase());
        hub.assertThat(id).calledActivities("ReserveInventory", "ChargePayment", "ShipOrder");
    }

    @Test
    void unknownItem_failsTheOrder_beforeAnyCharge(TestTaskHub hub) {
        String id = hub.start(ProcessOrder.NAME, new Orders.OrderRequest("piano", 1));
        hub.waitForCompletion(id);
        hub.assertThat(id).failedWith("No such item: 'piano'").calledActivities("ReserveInventory");
    }
}

package dev.taskhub.samples.springboot;

import dev.taskhub.activity.Activity;
import dev.taskhub.activity.ActivityContext;
import dev.taskhub.spring.boot.TaskhubActivity;
import org.springframework.stereotype.Component;

/** The order's activities: beans with their dependencies injected, registered with the worker by their annotation. */
public final class Activities {
    private Activities() {}

    /** Reserves the items. */
    @Component
    @TaskhubActivity("ReserveInventory")
    public static class ReserveInventory implements Activity<Orders.Reservation> {
        private final Warehouse warehouse;

        public ReserveInventory(Warehouse warehouse) {
            this.warehouse = warehouse;
        }

        @Override
        public Orders.Reservation run(ActivityContext ctx) {
            Orders.OrderRequest order = ctx.getInput(Orders.OrderRequest.class);
            return warehouse.reserve(order.item(), order.quantity());
        }
    }

    /** Charges the total. */
    @Component
    @TaskhubActivity("ChargePayment")
    public static class ChargePayment implements Activity<String> {
        private final Warehouse warehouse;

        public ChargePayment(Warehouse warehouse) {
            this.warehouse = warehouse;
        }

        @Override
        public String run(ActivityContext ctx) {
            return warehouse.charge(ctx.getInput(Long.class));
        }
    }

    /** Ships the reservation. */
    @Component
    @TaskhubActivity("ShipOrder")
    public static class ShipOrder implements Activity<String> {
        private final Warehouse warehouse;

        public ShipOrder(Warehouse warehouse) {
            this.warehouse = warehouse;
        }

        @Override
        public String run(ActivityContext ctx) {
            return warehouse.ship(ctx.getInput(String.class));
        }
    }
}

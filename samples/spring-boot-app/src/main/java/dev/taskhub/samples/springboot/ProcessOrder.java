package dev.taskhub.samples.springboot;

import dev.taskhub.orchestration.OrchestrationContext;
import dev.taskhub.orchestration.Orchestrator;
import dev.taskhub.spring.boot.TaskhubOrchestrator;
import org.springframework.stereotype.Component;

/**
 * The order orchestration: reserve, charge, ship. A bean like any other, but deterministic: it only calls activities
 * (the I/O lives there) and keeps no state in fields, because it runs again from the top at every episode.
 */
@Component
@TaskhubOrchestrator(ProcessOrder.NAME)
public class ProcessOrder implements Orchestrator<Orders.OrderResult> {
    public static final String NAME = "ProcessOrder";

    @Override
    public Orders.OrderResult run(OrchestrationContext ctx) {
        Orders.OrderRequest order = ctx.getInput(Orders.OrderRequest.class);
        Orders.Reservation reservation = ctx.callActivity("ReserveInventory", order, Orders.Reservation.class).await();
        long total = reservation.unitPriceCents() * reservation.quantity();
        String payment = ctx.callActivity("ChargePayment", total, String.class).await();
        String tracking = ctx.callActivity("ShipOrder", reservation.reservationId(), String.class).await();
        return new Orders.OrderResult(reservation.reservationId(), payment, tracking, total);
    }
}

package dev.taskhub.samples.springboot;

/** The data of the order sample, serialised as JSON in the task hub. */
public final class Orders {
    private Orders() {}

    /** What a customer orders. */
    public record OrderRequest(String item, int quantity) {}

    /** A reservation in the warehouse. */
    public record Reservation(String reservationId, String item, int quantity, long unitPriceCents) {}

    /** What the orchestration returns. */
    public record OrderResult(String reservationId, String paymentId, String trackingNumber, long totalCents) {}
}

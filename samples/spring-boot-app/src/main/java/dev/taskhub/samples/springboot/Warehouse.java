package dev.taskhub.samples.springboot;

import org.springframework.stereotype.Service;

import java.util.Map;
import java.util.UUID;

/** An ordinary Spring service the activities use: stands for the warehouse and payment systems. */
@Service
public class Warehouse {
    private static final Map<String, Long> PRICES = Map.of("book", 1_250L, "lamp", 3_900L, "pen", 199L);

    /** Reserves stock; an unknown item fails the activity (and so the order). */
    public Orders.Reservation reserve(String item, int quantity) {
        Long price = PRICES.get(item);
        if (price == null) {
            throw new IllegalArgumentException("No such item: '" + item + "'. We sell " + PRICES.keySet() + ".");
        }
        if (quantity < 1) {
            throw new IllegalArgumentException("Order at least one " + item + ".");
        }
        return new Orders.Reservation("R-" + UUID.randomUUID().toString().substring(0, 8), item, quantity, price);
    }

    public String charge(long cents) {
        return "P-" + cents + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String ship(String reservationId) {
        return "TRACK-" + reservationId.substring(2).toUpperCase();
    }
}

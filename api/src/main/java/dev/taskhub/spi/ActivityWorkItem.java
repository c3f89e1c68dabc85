package dev.taskhub.spi;

import java.time.Instant;

/**
 * One locked activity message.
 *
 * @param lockToken     identifies this lock; completing or abandoning with an older token is refused
 * @param lockedUntil   when the lease expires unless renewed; the message then becomes visible again
 * @param request       the activity to run
 * @param deliveryCount how many times this message has been locked, including this time
 */
public record ActivityWorkItem(String lockToken, Instant lockedUntil, ActivityRequest request, int deliveryCount) {}

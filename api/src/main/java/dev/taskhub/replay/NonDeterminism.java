package dev.taskhub.replay;

/**
 * Where the current code stops reproducing an instance's history: the first recorded decision it does not make again.
 *
 * @param instanceId the instance
 * @param position   the index of the recorded event in the history as given (the exported JSON array, or the list read
 *                   through the SPI); the history's length when the code does something after its last event
 * @param recorded   what the history records there, e.g. {@code call activity 'Charge' (#2)}
 * @param actual     what the code does instead, e.g. {@code calls activity 'Reserve' (#2)}
 */
public record NonDeterminism(String instanceId, int position, String recorded, String actual) {
    /** One line for people: instance, position, both sides. */
    public String message() {
        return "Instance '" + instanceId + "', event " + position + ": the history records " + recorded
                + ", but the code now " + actual + ".";
    }
}

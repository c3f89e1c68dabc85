package dev.taskhub.client;

/**
 * The management URLs of one instance, in Durable Functions' format: full URLs carrying {@code taskHub},
 * {@code connection} and {@code code}. {@code sendEventPostUri} holds an {@code {eventName}} placeholder;
 * terminate, rewind, suspend and resume hold {@code reason={text}}.
 */
public record HttpManagementPayload(String id, String statusQueryGetUri, String sendEventPostUri, String terminatePostUri,
                                    String rewindPostUri, String purgeHistoryDeleteUri, String restartPostUri,
                                    String suspendPostUri, String resumePostUri) {}

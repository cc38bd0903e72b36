package dev.streamlearn.streams.clean;

/** A validation failure: the reason code and a message for a person. */
public record Rejection(RejectReason reason, String message) {}

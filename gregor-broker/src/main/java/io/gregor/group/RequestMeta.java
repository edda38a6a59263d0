package io.gregor.group;

/** What the state machine needs to know about a request besides its body. */
public record RequestMeta(short apiVersion, String clientId, String clientHost) {
}

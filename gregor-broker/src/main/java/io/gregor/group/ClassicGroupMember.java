package io.gregor.group;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * A member of a classic group: identity, timeouts, the protocols it supports with their
 * metadata, its current assignment, and its parked JoinGroup / SyncGroup, if any.
 * Owner: the group coordinator thread.
 */
final class ClassicGroupMember {

    /** A protocol (assignor) the member supports, with its subscription bytes. */
    record Protocol(String name, byte[] metadata) {
    }

    private String memberId;
    final String groupInstanceId;
    final String clientId;
    final String clientHost;
    int rebalanceTimeoutMs;
    int sessionTimeoutMs;
    final String protocolType;
    List<Protocol> protocols;
    byte[] assignment = new byte[0];
    /** A new member's JoinGroup has not completed yet: it may be expired while waiting (Kafka's isNew). */
    boolean isNew;
    CompletableFuture<JoinGroupResponseData> awaitingJoin;
    short joinVersion;
    CompletableFuture<SyncGroupResponseData> awaitingSync;

    ClassicGroupMember(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
                       int sessionTimeoutMs, String protocolType, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    String memberId() {
        return memberId;
    }

    /** Static membership: a rejoining instance takes over the member under a new id. */
    void setMemberId(String newMemberId) {
        this.memberId = newMemberId;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    boolean isAwaitingSync() {
        return awaitingSync != null;
    }

    /** The metadata for {@code protocolName}, or null if the member does not support it. */
    byte[] metadata(String protocolName) {
        for (Protocol p : protocols) {
            if (p.name().equals(protocolName)) {
                return p.metadata();
            }
        }
        return null;
    }

    boolean supports(String protocolName) {
        return metadata(protocolName) != null;
    }

    /** Same protocols, in the same order, with the same metadata. */
    boolean matches(List<Protocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            Protocol a = protocols.get(i);
            Protocol b = other.get(i);
            if (!a.name().equals(b.name()) || !Arrays.equals(a.metadata(), b.metadata())) {
                return false;
            }
        }
        return true;
    }
}

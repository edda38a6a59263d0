package io.gregor.group;

import java.util.List;

/**
 * A record of {@code __consumer_offsets}, as the group coordinator writes and replays it. The
 * key identifies what the record is about; a null value is a tombstone (compaction removes the
 * key). Bytes are in {@link GroupRecordCodec}.
 */
public sealed interface GroupRecord {

    String groupId();

    /** A committed offset of one partition, or its removal ({@code value == null}). */
    record OffsetCommit(String groupId, String topic, int partition, CommittedOffset value) implements GroupRecord {
    }

    /** A snapshot of a classic group after a completed rebalance, or its deletion ({@code value == null}). */
    record GroupMetadata(String groupId, GroupSnapshot value) implements GroupRecord {
    }

    /** What OffsetCommit stored: offset, the leader epoch and metadata the client sent, and when. */
    record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {
    }

    record GroupSnapshot(String protocolType, int generationId, String protocolName, String leaderId,
                         long currentStateTimestampMs, List<MemberSnapshot> members) {
    }

    /** A member as stored: {@code metadata} is its subscription for the selected protocol. */
    record MemberSnapshot(String memberId, String groupInstanceId, String clientId, String clientHost,
                          int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] metadata, byte[] assignment) {
    }
}

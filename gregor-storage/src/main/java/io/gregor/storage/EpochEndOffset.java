package io.gregor.storage;

/** OffsetForLeaderEpoch answer: an epoch and the offset where it ends (exclusive); (-1, -1) when unknown. */
public record EpochEndOffset(int epoch, long endOffset) {
  static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1L);
}

package io.gregor.storage;

/** A record's offset and timestamp, as ListOffsets returns them; (-1, -1) means "none". */
public record OffsetAndTimestamp(long offset, long timestamp) {
  static final OffsetAndTimestamp NONE = new OffsetAndTimestamp(-1L, -1L);
}

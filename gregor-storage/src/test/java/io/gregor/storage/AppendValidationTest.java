package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.storage.LogAppendException.Reason;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AppendValidationTest {
  private static final int LENGTH = 8;
  private static final int CRC = 17;
  private static final int MAX_TIMESTAMP = 35;
  private static final int BASE_SEQUENCE = 53;
  private static final int COUNT = 57;
  private static final int LAST_OFFSET_DELTA = 23;
  private static final int RECORDS = 61;
  private static final int ATTRIBUTES = 21;

  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();
  private LogStore store;
  private PartitionLog log;

  @BeforeEach
  void setUp() throws Exception {
    store = LogStore.open(dir, StoreConfig.defaults());
    log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults().withMaxMessageBytes(1000)
        .withTimestampBeforeMaxMs(24 * 3_600_000L));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private void assertRejected(MemoryRecords records, Reason reason) {
    assertRejected(log, records, reason);
  }

  private void assertRejected(PartitionLog into, MemoryRecords records, Reason reason) {
    assertThatThrownBy(() -> into.appendAsLeader(records, 0, now))
        .isInstanceOf(LogAppendException.class)
        .satisfies(e -> assertThat(((LogAppendException) e).reason()).isEqualTo(reason));
    assertThat(into.logEndOffset()).as("nothing written").isZero();
    assertThat(into.sizeInBytes()).isZero();
  }

  /** A log with every default (no message.timestamp.before.max.ms), as most topics are. */
  private PartitionLog defaultLog() throws Exception {
    return store.createLog("defaults", 0, Uuid.randomUuid(), LogConfig.defaults());
  }

  private static ByteBuffer copy(MemoryRecords records) {
    ByteBuffer src = records.buffer();
    ByteBuffer b = ByteBuffer.allocate(src.remaining());
    b.put(src.duplicate()).flip();
    return b;
  }

  private static MemoryRecords withCrcFixed(ByteBuffer b) {
    b.putInt(CRC, (int) Crc32C.compute(b, 21, b.limit() - 21));
    return MemoryRecords.readableRecords(b);
  }

  @Test
  void shouldRejectTwoBatches() {
    ByteBuffer one = copy(batch(now, "a"));
    ByteBuffer two = ByteBuffer.allocate(one.remaining() * 2);
    two.put(one.duplicate()).put(one.duplicate()).flip();
    assertRejected(MemoryRecords.readableRecords(two), Reason.INVALID_RECORD);
  }

  @Test
  void shouldRejectEmptyAndTooShortRecords() {
    assertRejected(MemoryRecords.EMPTY, Reason.INVALID_RECORD);
    assertRejected(MemoryRecords.readableRecords(ByteBuffer.allocate(30)), Reason.INVALID_RECORD);
  }

  @Test
  void shouldRejectOldMagic() {
    assertRejected(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE, rec(now, "k", "v")),
        Reason.INVALID_RECORD);
  }

  @Test
  void shouldRejectBatchLargerThanMaxMessageBytesBeforeCheckingCrc() {
    ByteBuffer b = copy(StorageTestSupport.bigBatch(now, 2000));
    b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1));
    assertRejected(MemoryRecords.readableRecords(b), Reason.MESSAGE_TOO_LARGE);
  }

  @Test
  void shouldRejectCorruptCrc() {
    ByteBuffer b = copy(batch(now, "hello"));
    b.put(b.limit() - 2, (byte) (b.get(b.limit() - 2) ^ 0x10));
    assertRejected(MemoryRecords.readableRecords(b), Reason.CORRUPT_MESSAGE);
  }

  @Test
  void shouldRejectNonZeroBaseOffset() {
    assertRejected(MemoryRecords.withRecords(5L, Compression.NONE, rec(now, "k", "v")), Reason.INVALID_RECORD);
  }

  @Test
  void shouldRejectRecordCountNotMatchingLastOffsetDelta() {
    ByteBuffer b = copy(batch(now, "a", "b"));
    b.putInt(COUNT, 3);
    assertRejected(withCrcFixed(b), Reason.INVALID_RECORD);
  }

  /**
   * A compressed batch whose header claims another count than it holds (its CRC right: a client's bug) would be
   * stored for every consumer to fail on; Kafka decompresses it and answers INVALID_RECORD, so do we.
   */
  @Test
  void shouldRejectACompressedBatchHoldingAnotherCountThanItsHeaderSays() throws Exception {
    PartitionLog defaults = defaultLog();
    for (int claimed : new int[] {2, 4}) {
      ByteBuffer b = copy(MemoryRecords.withRecords(Compression.gzip().build(), rec(now, "k", "a"), rec(now, "k", "b"),
          rec(now, "k", "c")));
      b.putInt(LAST_OFFSET_DELTA, claimed - 1);
      b.putInt(COUNT, claimed);
      assertRejected(defaults, withCrcFixed(b), Reason.INVALID_RECORD);
    }
    // Two records at offset deltas 0 and 2 under a header saying 0..1 (Kafka would rewrite the offsets; we refuse
    // them as we refuse the same in an uncompressed batch).
    MemoryRecordsBuilder gap = MemoryRecords.builder(ByteBuffer.allocate(256), Compression.gzip().build(),
        TimestampType.CREATE_TIME, 0L);
    gap.appendWithOffset(0L, rec(now, "k", "a"));
    gap.appendWithOffset(2L, rec(now, "k", "b"));
    ByteBuffer b = copy(gap.build());
    b.putInt(LAST_OFFSET_DELTA, 1);
    assertRejected(defaults, withCrcFixed(b), Reason.INVALID_RECORD);
  }

  /** Bytes that are not gzip under a right CRC: Kafka fails on them with UNKNOWN_SERVER_ERROR, we name the fault. */
  @Test
  void shouldRejectACompressedBatchThatCannotBeDecompressed() throws Exception {
    PartitionLog defaults = defaultLog();
    for (Compression codec : new Compression[] {Compression.gzip().build(), Compression.lz4().build(),
        Compression.snappy().build(), Compression.zstd().build()}) {
      ByteBuffer b = copy(MemoryRecords.withRecords(codec, rec(now, "k", "a"), rec(now, "k", "b")));
      for (int i = RECORDS; i < b.limit(); i++) {
        b.put(i, (byte) (i * 31));
      }
      assertRejected(defaults, withCrcFixed(b), Reason.INVALID_RECORD);
    }
  }

  /**
   * Random corruptions of each codec's bytes under a right CRC (a client's bug or an attack): the codec may fail in any
   * way (snappy-java throws NegativeArraySizeException and SnappyError, an Error), and every time the batch is either
   * refused with INVALID_RECORD or, if the bytes happen to still be records, stored readable.
   */
  @Test
  void shouldRefuseEveryCorruptionOfACompressedBatchOrStoreItReadable() throws Exception {
    PartitionLog defaults = defaultLog();
    java.util.Random random = new java.util.Random(42);
    int stored = 0;
    for (Compression codec : new Compression[] {Compression.gzip().build(), Compression.lz4().build(),
        Compression.snappy().build(), Compression.zstd().build()}) {
      ByteBuffer good = copy(MemoryRecords.withRecords(codec, rec(now, "k1", "first value"), rec(now, "k2", "second value"),
          rec(now, "k3", "third value")));
      for (int attempt = 0; attempt < 500; attempt++) {
        ByteBuffer b = copy(MemoryRecords.readableRecords(good.duplicate()));
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
          int at = RECORDS + random.nextInt(b.limit() - RECORDS);
          b.put(at, (byte) random.nextInt(256));
        }
        MemoryRecords corrupt = withCrcFixed(b);
        long before = defaults.logEndOffset();
        try {
          defaults.appendAsLeader(corrupt, 0, now);
          stored++;
        } catch (LogAppendException e) {
          assertThat(e.reason()).as(codec + " attempt " + attempt + ": " + e.getMessage()).isEqualTo(Reason.INVALID_RECORD);
          assertThat(defaults.logEndOffset()).isEqualTo(before);
        }
      }
    }
    // Whatever was stored reads back as records, as a consumer would read them.
    assertThat(StorageTestSupport.values(StorageTestSupport.readAll(defaults))).hasSize(3 * stored);
  }

  /**
   * A tiny snappy batch whose chunk declares 256 MiB (or whose block declares 256 MiB once uncompressed) would make
   * the codec allocate that before reading a byte: refused before the codec sees it.
   */
  @Test
  void shouldRefuseASnappyBatchThatDeclaresHugeChunksWithoutAllocatingThem() throws Exception {
    PartitionLog defaults = defaultLog();
    ByteBuffer good = copy(MemoryRecords.withRecords(Compression.snappy().build(), rec(now, "k", "v")));
    int firstChunk = RECORDS + 16; // snappy-java's header: magic (8), version, compatible version
    ByteBuffer hugeChunk = copy(MemoryRecords.readableRecords(good.duplicate()));
    hugeChunk.putInt(firstChunk, 256 << 20);
    ByteBuffer hugeBlock = copy(MemoryRecords.readableRecords(good.duplicate()));
    // The block's uncompressed length, a varint, rewritten as 256 MiB in the same number of bytes where it fits.
    int varintBytes = 0;
    while ((hugeBlock.get(firstChunk + 4 + varintBytes) & 0x80) != 0) {
      varintBytes++;
    }
    assertThat(varintBytes).as("a one-byte length for a one-record block").isZero();
    ByteBuffer widened = ByteBuffer.allocate(hugeBlock.limit() + 3);
    widened.put(hugeBlock.duplicate().limit(firstChunk + 4));
    widened.put(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x01}); // 2^28 = 256 MiB
    widened.put(hugeBlock.duplicate().position(firstChunk + 5));
    widened.flip();
    widened.putInt(firstChunk, widened.getInt(firstChunk) + 3);
    widened.putInt(LENGTH, widened.limit() - 12);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (ByteBuffer bomb : new ByteBuffer[] {hugeChunk, widened}) {
      MemoryRecords records = withCrcFixed(bomb);
      long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
      assertRejected(defaults, records, Reason.INVALID_RECORD);
      assertThat(threads.getCurrentThreadAllocatedBytes() - allocatedBefore).as("bytes allocated").isLessThan(16L << 20);
    }
  }

  /** A compressed record whose length prefix disagrees with its fields would fail every consumer: refused. */
  @Test
  void shouldRefuseACompressedRecordWhoseLengthDisagreesWithItsFields() throws Exception {
    PartitionLog defaults = defaultLog();
    ByteBuffer plain = copy(MemoryRecords.withRecords(Compression.NONE, rec(now, "k", "value"), rec(now, "k", "other")));
    byte firstLength = plain.get(RECORDS); // a one-byte zigzag varint for a short record
    for (int delta : new int[] {-2, 2}) {
      ByteBuffer records = plain.duplicate().position(RECORDS).slice();
      byte[] raw = new byte[records.remaining()];
      records.get(raw);
      raw[0] = (byte) (firstLength + delta); // zigzag: one more or less byte
      ByteBuffer out = ByteBuffer.allocate(1024);
      out.put(plain.duplicate().limit(RECORDS));
      try (java.io.OutputStream gzip = Compression.gzip().build().wrapForOutput(
          new org.apache.kafka.common.utils.internals.ByteBufferOutputStream(out), RecordBatch.MAGIC_VALUE_V2)) {
        gzip.write(raw);
      }
      out.flip();
      out.putShort(ATTRIBUTES, (short) (out.getShort(ATTRIBUTES) | 1)); // gzip
      out.putInt(LENGTH, out.limit() - 12);
      assertRejected(defaults, withCrcFixed(out), Reason.INVALID_RECORD);
    }
  }

  /**
   * Varints whose fifth byte carries bits beyond the 32nd: Kafka's reader drops them (ByteUtils.readVarint), so an
   * offset delta of FF FF FF FF 1F is Integer.MIN_VALUE to every consumer and a key length of FD FF FF FF 1F is
   * negative. Read as Kafka reads them, both are refused, plain or compressed.
   */
  @Test
  void shouldReadFiveByteVarintsAsKafkaDoes() throws Exception {
    PartitionLog defaults = defaultLog();
    byte[] overlongZero = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x1F};
    byte[] overlongOne = {(byte) 0xFD, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x1F};
    java.io.ByteArrayOutputStream offsetDelta = new java.io.ByteArrayOutputStream();
    offsetDelta.write(new byte[] {0, 0}); // attributes, timestampDelta 0
    offsetDelta.write(overlongZero); // offsetDelta: 0 to a 35-bit reader, Integer.MIN_VALUE to Kafka's
    offsetDelta.write(new byte[] {2, 'k', 2, 'v', 0}); // key "k", value "v", no headers
    java.io.ByteArrayOutputStream keyLength = new java.io.ByteArrayOutputStream();
    keyLength.write(new byte[] {0, 0, 0}); // attributes, timestampDelta 0, offsetDelta 0
    keyLength.write(overlongOne); // keyLength: 1 to a 35-bit reader, negative to Kafka's
    keyLength.write(new byte[] {'k', 2, 'v', 0});
    for (byte[] body : new byte[][] {offsetDelta.toByteArray(), keyLength.toByteArray()}) {
      byte[] record = new byte[body.length + 1];
      record[0] = (byte) (body.length << 1); // zigzag length, one byte
      System.arraycopy(body, 0, record, 1, body.length);
      for (Compression codec : new Compression[] {Compression.NONE, Compression.gzip().build()}) {
        assertRejected(defaults, oneRecordBatch(record, codec), Reason.INVALID_RECORD);
      }
    }
  }

  /** Codec ids 5-7 name no codec: INVALID_RECORD, not an unexpected error. */
  @Test
  void shouldRefuseAnUnknownCompressionCodec() throws Exception {
    ByteBuffer b = copy(batch(now, "v"));
    b.putShort(ATTRIBUTES, (short) (b.getShort(ATTRIBUTES) | 5));
    assertRejected(defaultLog(), withCrcFixed(b), Reason.INVALID_RECORD);
  }

  /** A one-record batch around {@code record} (its raw bytes), compressed with {@code codec}, with a right CRC. */
  private MemoryRecords oneRecordBatch(byte[] record, Compression codec) throws Exception {
    ByteBuffer header = copy(batch(now, "v"));
    ByteBuffer out = ByteBuffer.allocate(1024);
    out.put(header.duplicate().limit(RECORDS));
    try (java.io.OutputStream body = codec.wrapForOutput(
        new org.apache.kafka.common.utils.internals.ByteBufferOutputStream(out), RecordBatch.MAGIC_VALUE_V2)) {
      body.write(record);
    }
    out.flip();
    out.putShort(ATTRIBUTES, (short) ((out.getShort(ATTRIBUTES) & ~0x07) | codec.type().id));
    out.putInt(LENGTH, out.limit() - 12);
    return withCrcFixed(out);
  }

  /** The header's maxTimestamp understating a record's is not trusted: the records decide, as in Kafka. */
  @Test
  void shouldRejectAFutureRecordOfACompressedBatchWhoseHeaderHidesIt() throws Exception {
    PartitionLog defaults = defaultLog();
    ByteBuffer b = copy(MemoryRecords.withRecords(Compression.lz4().build(), rec(now, "k", "a"),
        rec(now + 2 * 3_600_000L, "k", "future")));
    b.putLong(MAX_TIMESTAMP, now);
    MemoryRecords understated = withCrcFixed(b);
    assertThatThrownBy(() -> defaults.appendAsLeader(understated, 0, now))
        .isInstanceOf(LogAppendException.class)
        .satisfies(e -> {
          LogAppendException refused = (LogAppendException) e;
          assertThat(refused.reason()).isEqualTo(Reason.INVALID_TIMESTAMP);
          assertThat(refused.recordErrors()).extracting(LogAppendException.RecordError::batchIndex).containsExactly(1);
        });
    assertThat(defaults.logEndOffset()).isZero();
  }

  @Test
  void shouldRejectControlBatch() {
    assertRejected(MemoryRecords.withEndTransactionMarker(7L, (short) 0,
        new EndTransactionMarker(ControlRecordType.COMMIT, 0)), Reason.INVALID_RECORD);
  }

  @Test
  void shouldRejectProducerIdWithoutSequence() {
    ByteBuffer b = copy(StorageTestSupport.idempotentBatch(42L, (short) 0, 0, now, "a"));
    b.putInt(BASE_SEQUENCE, -1);
    assertRejected(withCrcFixed(b), Reason.INVALID_RECORD);
  }

  @Test
  void shouldRejectTimestampsOutsideTheWindow() {
    assertRejected(batch(now + 2 * 3_600_000L, "future"), Reason.INVALID_TIMESTAMP);
    assertRejected(batch(now - 2 * 24 * 3_600_000L, "past"), Reason.INVALID_TIMESTAMP);
  }

  @Test
  void shouldNameEachRecordOutsideTheWindowAsKafkaDoes() {
    long old = now - 2 * 24 * 3_600_000L;
    for (Compression compression : new Compression[] {Compression.NONE, Compression.lz4().build()}) {
      MemoryRecords records = MemoryRecords.withRecords(compression, rec(now, "k", "a"), rec(old, "k", "b"),
          rec(now, "k", "c"), rec(old + 1, "k", "d"));
      assertThatThrownBy(() -> log.appendAsLeader(records, 0, now))
          .isInstanceOf(LogAppendException.class)
          .hasMessage("One or more records have been rejected due to invalid timestamp")
          .satisfies(e -> assertThat(((LogAppendException) e).recordErrors())
              .extracting(LogAppendException.RecordError::batchIndex).containsExactly(1, 3))
          .satisfies(e -> assertThat(((LogAppendException) e).recordErrors().get(0).message())
              .startsWith("Timestamp " + old + " of message with offset 1 is out of range. The timestamp should be within ["));
    }
    assertThat(log.logEndOffset()).isZero();
  }

  @Test
  void shouldRejectARecordOutsideTheWindowThoughTheBatchMaximumIsInside() {
    assertRejected(MemoryRecords.withRecords(Compression.NONE, rec(now - 2 * 24 * 3_600_000L, "k", "old"),
        rec(now, "k", "new")), Reason.INVALID_TIMESTAMP);
    assertRejected(MemoryRecords.withRecords(Compression.gzip().build(), rec(now - 2 * 24 * 3_600_000L, "k", "old"),
        rec(now, "k", "new")), Reason.INVALID_TIMESTAMP);
  }

  @Test
  void shouldExemptOnlyTheRecordsWithoutATimestampFromTheWindow() throws Exception {
    assertRejected(MemoryRecords.withRecords(Compression.NONE, rec(RecordBatch.NO_TIMESTAMP, "k", "none"),
        rec(now - 2 * 24 * 3_600_000L, "k", "old")), Reason.INVALID_TIMESTAMP);
    assertRejected(MemoryRecords.withRecords(Compression.gzip().build(), rec(RecordBatch.NO_TIMESTAMP, "k", "none"),
        rec(now - 2 * 24 * 3_600_000L, "k", "old")), Reason.INVALID_TIMESTAMP);
    // A batch whose first record has none: the header says -1 too, and the stored one says the second's.
    log.appendAsLeader(MemoryRecords.withRecords(Compression.gzip().build(), rec(RecordBatch.NO_TIMESTAMP, "k", "none"),
        rec(now - 4_000, "k", "some")), 0, now);
    log.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, rec(RecordBatch.NO_TIMESTAMP, "k", "none")), 0, now);
    List<RecordBatch> stored = new ArrayList<>();
    log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches().forEach(stored::add);
    assertThat(stored).extracting(RecordBatch::maxTimestamp).containsExactly(now - 4_000, RecordBatch.NO_TIMESTAMP);
  }

  @Test
  void shouldCheckNoClientTimestampOnALogAppendTimeTopic() throws Exception {
    PartitionLog appendTime = store.createLog("t", 1, Uuid.randomUuid(), LogConfig.defaults().withLogAppendTime(true)
        .withTimestampBeforeMaxMs(24 * 3_600_000L));
    appendTime.appendAsLeader(batch(now - 2 * 24 * 3_600_000L, "old"), 0, now);
    appendTime.appendAsLeader(batch(now + 2 * 24 * 3_600_000L, "future"), 0, now);
    List<RecordBatch> stored = new ArrayList<>();
    appendTime.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches().forEach(stored::add);
    assertThat(stored).allSatisfy(b -> {
      assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
      assertThat(b.maxTimestamp()).isEqualTo(now);
    });
  }

  /** Sarama 1.22 writes -1 into every batch's maxTimestamp; Kafka's LogValidator stores the records' maximum. */
  @Test
  void shouldStoreTheRecordsNewestTimestampWhereTheClientWroteAWrongMaximum() throws Exception {
    String[] codecs = {"none", "gzip", "lz4"};
    for (int c = 0; c < codecs.length; c++) {
      Compression compression = codecs[c].equals("none") ? Compression.NONE
          : codecs[c].equals("gzip") ? Compression.gzip().build() : Compression.lz4().build();
      long base = now - 10_000 + 1_000L * c;
      ByteBuffer b = copy(MemoryRecords.withRecords(compression, rec(base, "k", codecs[c] + "-0"),
          rec(base + 300, "k", codecs[c] + "-1"), rec(base + 200, "k", codecs[c] + "-2")));
      b.putLong(MAX_TIMESTAMP, RecordBatch.NO_TIMESTAMP);
      log.appendAsLeader(withCrcFixed(b), 0, now);
    }
    List<RecordBatch> stored = new ArrayList<>();
    log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches().forEach(stored::add);
    assertThat(stored).hasSize(3);
    for (int c = 0; c < 3; c++) {
      RecordBatch batch = stored.get(c);
      assertThat(batch.maxTimestamp()).isEqualTo(now - 10_000 + 1_000L * c + 300);
      assertThat(batch.isValid()).as("CRC rewritten with the header").isTrue();
    }
    // Looked up by time, the second record of the gzip batch (offset 4) is the first at or after base + 250.
    assertThat(log.offsetForTimestamp(now - 9_000 + 250)).hasValueSatisfying(o -> assertThat(o.offset()).isEqualTo(4));
    assertThat(log.maxTimestampOffset().timestamp()).isEqualTo(now - 8_000 + 300);
  }

  @Test
  void shouldRejectClientSetLogAppendTime() {
    assertRejected(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V2, 0L, Compression.NONE,
        TimestampType.LOG_APPEND_TIME, rec(now, "k", "v")), Reason.INVALID_TIMESTAMP);
  }

  @Test
  void shouldRejectABatchLongerThanItsBytes() {
    ByteBuffer full = copy(batch(now, "abcdef"));
    ByteBuffer truncated = full.duplicate().limit(full.limit() - 3).slice();
    assertRejected(MemoryRecords.readableRecords(truncated), Reason.INVALID_RECORD);
  }

  /**
   * As Kafka reads a produce request's records: bytes after the batch that cannot be a whole batch are left out of
   * the log, a tail declaring a nonsensical size is CORRUPT_MESSAGE, and a whole second batch is refused.
   */
  @Test
  void shouldStoreOnlyTheBatchWhenTheBytesAfterItCannotBeABatch() throws Exception {
    ByteBuffer full = copy(batch(now, "abcdef"));
    ByteBuffer tinySize = ByteBuffer.allocate(12).putLong(0).putInt(3).flip();
    assertRejected(MemoryRecords.readableRecords(followedBy(full, tinySize)), Reason.CORRUPT_MESSAGE);
    assertRejected(MemoryRecords.readableRecords(followedBy(full, full.duplicate())), Reason.INVALID_RECORD);

    log.appendAsLeader(MemoryRecords.readableRecords(followedBy(full, ByteBuffer.allocate(4).putInt(0xdeadbeef).flip())),
        0, now);
    assertThat(log.sizeInBytes()).isEqualTo(full.limit());
    assertThat(StorageTestSupport.values(StorageTestSupport.readAll(log))).containsExactly("abcdef");
  }

  private static ByteBuffer followedBy(ByteBuffer batch, ByteBuffer tail) {
    ByteBuffer b = ByteBuffer.allocate(batch.remaining() + tail.remaining());
    return b.put(batch.duplicate()).put(tail.duplicate()).flip();
  }

  @Test
  void shouldRejectGarbageInsideAValidCrc() {
    // The client computed a correct CRC over bytes that are not records: length grown by 4 garbage bytes.
    ByteBuffer full = copy(batch(now, "abcdef"));
    ByteBuffer b = ByteBuffer.allocate(full.limit() + 4);
    b.put(full.duplicate()).putInt(0x7f7f7f7f).flip();
    b.putInt(LENGTH, b.limit() - 12);
    assertRejected(withCrcFixed(b), Reason.INVALID_RECORD);
  }

  @Test
  void shouldAcceptReadOnlyBuffersWithoutTouchingThem() throws Exception {
    ByteBuffer b = copy(batch(now, "a")).asReadOnlyBuffer();
    AppendResult r = log.appendAsLeader(MemoryRecords.readableRecords(b), 0, now);
    assertThat(r.firstOffset()).isZero();
    AppendResult r2 = log.appendAsLeader(MemoryRecords.readableRecords(b.duplicate()), 0, now);
    assertThat(r2.firstOffset()).isEqualTo(1);
  }

  @Test
  void shouldAcceptCompressedBatches() throws Exception {
    MemoryRecords gz = MemoryRecords.withRecords(Compression.gzip().build(), rec(now, "k1", "v1"),
        rec(now, "k2", "v2"));
    AppendResult r = log.appendAsLeader(gz, 0, now);
    assertThat(r.lastOffset()).isEqualTo(1);
    assertThat(StorageTestSupport.values(StorageTestSupport.readAll(log))).containsExactly("v1", "v2");
  }
}

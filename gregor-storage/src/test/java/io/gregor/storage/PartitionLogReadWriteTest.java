package io.gregor.storage;

import static io.gregor.storage.StorageTestSupport.batch;
import static io.gregor.storage.StorageTestSupport.bytes;
import static io.gregor.storage.StorageTestSupport.readAll;
import static io.gregor.storage.StorageTestSupport.rec;
import static io.gregor.storage.StorageTestSupport.records;
import static io.gregor.storage.StorageTestSupport.string;
import static io.gregor.storage.StorageTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class PartitionLogReadWriteTest {
  @TempDir
  Path dir;

  private final long now = System.currentTimeMillis();

  @Test
  void shouldRoundTripKeysValuesHeadersAndTimestamps() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("orders", 0, Uuid.randomUuid(), LogConfig.defaults());
      MemoryRecords first = MemoryRecords.withRecords(Compression.NONE,
          rec(now - 10, "a", "1", new RecordHeader("h1", bytes("v1")), new RecordHeader("h2", null)),
          rec(now - 5, null, "2"));
      AppendResult r1 = log.appendAsLeader(first, 3, now);
      AppendResult r2 = log.appendAsLeader(batch(now, "3"), 3, now);

      assertThat(r1.withoutSize()).isEqualTo(new AppendResult(0, 1, -1, 0, false, 0));
      assertThat(r2.withoutSize()).isEqualTo(new AppendResult(2, 2, -1, 0, false, 0));
      assertThat(log.logEndOffset()).isEqualTo(3);
      ReadResult read = log.read(0, 1 << 20, Long.MAX_VALUE, false);
      assertThat(read.records()).isInstanceOf(FileRecords.class);
      assertThat(read.logEndOffset()).isEqualTo(3);
      List<RecordBatch> batches = new ArrayList<>();
      read.records().batches().forEach(batches::add);
      assertThat(batches).hasSize(2);
      assertThat(batches.get(0).baseOffset()).isZero();
      assertThat(batches.get(0).lastOffset()).isEqualTo(1);
      assertThat(batches.get(0).partitionLeaderEpoch()).isEqualTo(3);
      assertThat(batches.get(0).isValid()).isTrue();
      List<Record> recs = new ArrayList<>();
      batches.get(0).forEach(recs::add);
      assertThat(string(recs.get(0).key())).isEqualTo("a");
      assertThat(string(recs.get(0).value())).isEqualTo("1");
      assertThat(recs.get(0).timestamp()).isEqualTo(now - 10);
      assertThat(recs.get(0).headers()).hasSize(2);
      assertThat(recs.get(0).headers()[0].key()).isEqualTo("h1");
      assertThat(new String(recs.get(0).headers()[0].value(), StandardCharsets.UTF_8)).isEqualTo("v1");
      assertThat(recs.get(0).headers()[1].value()).isNull();
      assertThat(recs.get(1).key()).isNull();
      assertThat(recs.get(1).offset()).isEqualTo(1);
      assertThat(values(records(read.records()))).containsExactly("1", "2", "3");
    }
  }

  @Test
  void shouldRecompressToTheTopicsCompressionTypeKeepingRecordsAndProducerState() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      LogConfig zstd = LogConfig.defaults().withCompressionType("zstd");
      PartitionLog log = store.createLog("packed", 0, Uuid.randomUuid(), zstd);
      MemoryRecords plain = MemoryRecords.withIdempotentRecords(Compression.NONE, 42L, (short) 3, 7,
          rec(now - 10, "a", "1", new RecordHeader("h1", bytes("v1"))), rec(now - 5, null, "2"));
      assertThat(log.appendAsLeader(plain, 0, now).withoutSize()).isEqualTo(new AppendResult(0, 1, -1, 0, false, 0));
      // A retry of the same batch is still recognised after recompression.
      MemoryRecords retry = MemoryRecords.withIdempotentRecords(Compression.NONE, 42L, (short) 3, 7,
          rec(now - 10, "a", "1", new RecordHeader("h1", bytes("v1"))), rec(now - 5, null, "2"));
      assertThat(log.appendAsLeader(retry, 0, now).duplicate()).isTrue();
      log.appendAsLeader(MemoryRecords.withRecords(Compression.gzip().build(), rec(now, "c", "3")), 0, now);

      List<RecordBatch> batches = new ArrayList<>();
      log.read(0, 1 << 20, Long.MAX_VALUE, false).records().batches().forEach(batches::add);
      assertThat(batches).extracting(RecordBatch::compressionType)
          .containsExactly(CompressionType.ZSTD, CompressionType.ZSTD);
      assertThat(batches.get(0).producerId()).isEqualTo(42L);
      assertThat(batches.get(0).producerEpoch()).isEqualTo((short) 3);
      assertThat(batches.get(0).baseSequence()).isEqualTo(7);
      assertThat(batches).allMatch(RecordBatch::isValid);
      List<StorageTestSupport.ReadRecord> read = readAll(log);
      assertThat(read).extracting(StorageTestSupport.ReadRecord::offset).containsExactly(0L, 1L, 2L);
      assertThat(read).extracting(StorageTestSupport.ReadRecord::key).containsExactly("a", null, "c");
      assertThat(values(read)).containsExactly("1", "2", "3");
      assertThat(read).extracting(StorageTestSupport.ReadRecord::timestamp).containsExactly(now - 10, now - 5, now);
      List<Record> first = new ArrayList<>();
      batches.get(0).forEach(first::add);
      assertThat(first.get(0).headers()).hasSize(1);
      assertThat(string(java.nio.ByteBuffer.wrap(first.get(0).headers()[0].value()))).isEqualTo("v1");

      // uncompressed: a compressed batch is stored plain.
      log.updateConfig(zstd.withCompressionType("uncompressed"));
      log.appendAsLeader(MemoryRecords.withRecords(Compression.lz4().build(), rec(now, "d", "4")), 0, now);
      RecordBatch last = null;
      for (RecordBatch b : log.read(3, 1 << 20, Long.MAX_VALUE, false).records().batches()) {
        last = b;
      }
      assertThat(last.compressionType()).isEqualTo(CompressionType.NONE);
      assertThat(values(readAll(log))).containsExactly("1", "2", "3", "4");
    }
  }

  @Test
  void shouldLayOutFilesLikeKafka() throws Exception {
    Uuid id = Uuid.randomUuid();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("my.topic-x", 7, id, LogConfig.defaults());
      assertThat(store.createLog("my.topic-x", 7, id, LogConfig.defaults())).isSameAs(log);
      log.appendAsLeader(batch(now, "a"), 0, now);
      assertThat(log.dir()).isEqualTo(dir.resolve("my.topic-x-7"));
      assertThat(Files.readString(log.dir().resolve("partition.metadata")))
          .isEqualTo("version: 0\ntopic_id: " + id + "\n");
      assertThat(log.dir().resolve("00000000000000000000.log")).exists();
      assertThat(Files.readString(log.dir().resolve("leader-epoch-checkpoint"))).isEqualTo("0\n1\n0 0\n");
    }
    assertThat(dir.resolve(".kafka_cleanshutdown")).exists();
    assertThat(Files.readString(dir.resolve("recovery-point-offset-checkpoint"))).isEqualTo("0\n1\nmy.topic-x 7 1\n");
    assertThat(Files.readString(dir.resolve("log-start-offset-checkpoint"))).isEqualTo("0\n1\nmy.topic-x 7 0\n");
    assertThat(dir.resolve("my.topic-x-7/00000000000000000000.index")).exists();
    assertThat(dir.resolve("my.topic-x-7/00000000000000000000.timeindex")).exists();
    assertThat(dir.resolve("my.topic-x-7/00000000000000000001.snapshot")).exists();
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      assertThat(dir.resolve(".kafka_cleanshutdown")).doesNotExist();
      PartitionLog log = store.log("my.topic-x", 7).orElseThrow();
      assertThat(log.topicId()).isEqualTo(id);
      assertThat(log.logEndOffset()).isEqualTo(1);
    }
  }

  @Test
  void shouldKeepOffsetsDenseAcrossSegmentRolls() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(1024).withIndexIntervalBytes(128);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      List<String> expected = new ArrayList<>();
      long nextOffset = 0;
      for (int i = 0; i < 200; i++) {
        String[] vals = {"v" + i + "a", "v" + i + "b", "v" + i + "c"};
        AppendResult r = log.appendAsLeader(batch(now, vals), 1, now);
        assertThat(r.firstOffset()).isEqualTo(nextOffset);
        assertThat(r.lastOffset()).isEqualTo(nextOffset + 2);
        nextOffset += 3;
        expected.addAll(List.of(vals));
      }
      assertThat(log.segmentCount()).isGreaterThan(10);
      List<StorageTestSupport.ReadRecord> all = readAll(log);
      assertThat(values(all)).isEqualTo(expected);
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i).offset()).isEqualTo(i);
      }
      // Every offset, read alone, comes back in a slice that starts at the batch holding it.
      for (long offset = 0; offset < log.logEndOffset(); offset++) {
        ReadResult read = log.read(offset, 1, Long.MAX_VALUE, true);
        RecordBatch first = read.records().batches().iterator().next();
        assertThat(first.baseOffset()).isLessThanOrEqualTo(offset);
        assertThat(first.lastOffset()).isGreaterThanOrEqualTo(offset);
        assertThat(read.records().sizeInBytes()).isEqualTo(first.sizeInBytes());
      }
    }
  }

  @Test
  void shouldRespectMaxBytesMinOneBatchAndMaxOffset() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      for (int i = 0; i < 3; i++) {
        log.appendAsLeader(batch(now, "a" + i, "b" + i, "c" + i), 0, now); // offsets 0-2, 3-5, 6-8
      }
      int batchSize = log.read(0, 1, Long.MAX_VALUE, true).records().sizeInBytes();

      ReadResult partial = log.read(0, 10, Long.MAX_VALUE, false);
      assertThat(partial.records().sizeInBytes()).isEqualTo(10);
      assertThat(records(partial.records())).isEmpty();

      ReadResult twoAndABit = log.read(0, 2 * batchSize + 5, Long.MAX_VALUE, false);
      assertThat(twoAndABit.records().sizeInBytes()).isEqualTo(2 * batchSize + 5);
      assertThat(records(twoAndABit.records())).hasSize(6);

      assertThat(log.read(0, 0, Long.MAX_VALUE, false).records().sizeInBytes()).isZero();
      assertThat(log.read(0, 0, Long.MAX_VALUE, true).records().sizeInBytes()).isEqualTo(batchSize);

      assertThat(records(log.read(0, 1 << 20, 5, false).records())).extracting(StorageTestSupport.ReadRecord::offset)
          .containsExactly(0L, 1L, 2L);
      assertThat(records(log.read(0, 1 << 20, 6, false).records())).hasSize(6);
      assertThat(log.read(3, 1 << 20, 5, true).records().sizeInBytes()).isZero();
      assertThat(log.read(4, 1 << 20, 9, false).records().batches().iterator().next().baseOffset()).isEqualTo(3);

      assertThat(log.read(9, 1 << 20, Long.MAX_VALUE, true).records()).isSameAs(MemoryRecords.EMPTY);
      assertThatThrownBy(() -> log.read(10, 100, Long.MAX_VALUE, true))
          .isInstanceOf(OffsetOutOfRangeException.class);
      assertThatThrownBy(() -> log.read(-1, 100, Long.MAX_VALUE, true))
          .isInstanceOf(OffsetOutOfRangeException.class);
    }
  }

  @Test
  void shouldStampLogAppendTimeWhenTopicUsesIt() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(),
          LogConfig.defaults().withLogAppendTime(true));
      AppendResult r = log.appendAsLeader(batch(1000, "x", "y"), 0, now);
      assertThat(r.logAppendTimeMs()).isEqualTo(now);
      RecordBatch b = log.read(0, 1 << 20, Long.MAX_VALUE, false).records().batches().iterator().next();
      assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
      assertThat(b.maxTimestamp()).isEqualTo(now);
      assertThat(b.isValid()).isTrue();
      assertThat(records(log.read(0, 1 << 20, Long.MAX_VALUE, false).records()))
          .extracting(StorageTestSupport.ReadRecord::timestamp).containsExactly(now, now);
    }
  }

  @Test
  void shouldReadConsistentlyWhileAppending() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      Thread writer = new Thread(() -> {
        try {
          for (int i = 0; i < 2000; i++) {
            log.appendAsLeader(batch(now, "v" + i), 0, now);
          }
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      writer.start();
      long offset = 0;
      while (offset < 2000) {
        ReadResult r = log.read(offset, 700, Long.MAX_VALUE, true);
        for (StorageTestSupport.ReadRecord rec : records(r.records())) {
          if (rec.offset() >= offset) {
            assertThat(rec.offset()).isEqualTo(offset);
            assertThat(rec.value()).isEqualTo("v" + offset);
            offset++;
          }
        }
        assertThat(offset).isLessThanOrEqualTo(r.logEndOffset());
      }
      writer.join();
    }
  }

  @Test
  void shouldAssignUniqueDenseOffsetsToConcurrentAppends() throws Exception {
    LogConfig config = LogConfig.defaults().withSegmentBytes(4096);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      List<Thread> threads = new ArrayList<>();
      java.util.Set<Long> firstOffsets = java.util.concurrent.ConcurrentHashMap.newKeySet();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        threads.add(new Thread(() -> {
          for (int i = 0; i < 200; i++) {
            try {
              AppendResult r = log.appendAsLeader(batch(now, "t" + thread + "-" + i, "x"), 0, now);
              assertThat(firstOffsets.add(r.firstOffset())).isTrue();
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      assertThat(log.logEndOffset()).isEqualTo(8 * 200 * 2);
      List<StorageTestSupport.ReadRecord> all = readAll(log);
      assertThat(all).hasSize(3200);
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i).offset()).isEqualTo(i);
      }
    }
  }

  @Test
  void shouldRollWhenTheIndexIsFull() throws Exception {
    // 24 bytes: 3 offset-index entries or 2 time-index entries; index every batch.
    LogConfig config = LogConfig.defaults().withMaxIndexSizeBytes(24).withIndexIntervalBytes(0);
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), config);
      for (int i = 0; i < 12; i++) {
        log.appendAsLeader(batch(now + i, "v" + i), 0, now);
      }
      assertThat(log.segmentCount()).isGreaterThanOrEqualTo(4);
      assertThat(values(readAll(log))).hasSize(12);
    }
  }

  @Test
  void shouldApplyUpdatedConfigToLaterAppends() throws Exception {
    try (LogStore store = LogStore.open(dir, StoreConfig.defaults())) {
      PartitionLog log = store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults());
      log.appendAsLeader(batch(now, "a"), 0, now);
      log.updateConfig(LogConfig.defaults().withMaxMessageBytes(10));
      assertThatThrownBy(() -> log.appendAsLeader(batch(now, "b"), 0, now))
          .isInstanceOf(LogAppendException.class);
      assertThat(store.createLog("t", 0, log.topicId(), LogConfig.defaults().withLogAppendTime(true))).isSameAs(log);
      assertThat(log.appendAsLeader(batch(now - 5, "c"), 0, now).logAppendTimeMs()).isEqualTo(now);
      assertThatThrownBy(() -> store.createLog("t", 0, Uuid.randomUuid(), LogConfig.defaults()))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void shouldParseTopicConfigsWithKafkaKeyNames() {
    LogConfig c = LogConfig.fromMap(java.util.Map.of("segment.bytes", "2048", "retention.ms", "-1",
        "message.timestamp.type", "LogAppendTime", "cleanup.policy", "delete"), LogConfig.defaults());
    assertThat(c.segmentBytes()).isEqualTo(2048);
    assertThat(c.retentionMs()).isEqualTo(-1);
    assertThat(c.logAppendTime()).isTrue();
    assertThat(c.maxMessageBytes()).isEqualTo(1_048_588);
    assertThatThrownBy(() -> LogConfig.fromMap(java.util.Map.of("segment.bytes", "x"), LogConfig.defaults()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment.bytes");
    assertThatThrownBy(() -> LogConfig.defaults().withRetentionMs(-2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retention.ms: -2");
  }

  @Test
  void shouldTakeTheLevelOfTheTopicsCodecOnly() {
    LogConfig zstd = LogConfig.fromMap(java.util.Map.of("compression.type", "zstd", "compression.zstd.level", "-5",
        "compression.gzip.level", "9", "max.decompressed.message.bytes", "512"), LogConfig.defaults());
    assertThat(zstd.compressionLevel()).isEqualTo(-5);
    assertThat(zstd.maxDecompressedRecordBytes()).isEqualTo(512);
    assertThat(LogConfig.defaults().withCompressionType("gzip").compressionLevel()).isEqualTo(-1); // zlib's default
    assertThat(LogConfig.defaults().withCompressionType("lz4").compressionLevel()).isEqualTo(9);
    assertThat(LogConfig.defaults().withCompression("snappy", 7).compressionLevel()).isZero(); // snappy has none
    assertThatThrownBy(() -> LogConfig.defaults().withCompression("gzip", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compression.gzip.level: 0");
    assertThatThrownBy(() -> LogConfig.defaults().withCompression("lz4", 18))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compression.lz4.level: 18");
    assertThatThrownBy(() -> LogConfig.defaults().withMaxDecompressedRecordBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max.decompressed.message.bytes: 0");
  }
}

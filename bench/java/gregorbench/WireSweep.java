package gregorbench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.*;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * Sends the same requests to one broker, each at every version it has (and some edge cases at the latest), and
 * prints every parsed answer on one line as canonical JSON (Kafka's own converter for the message at its version,
 * fields sorted, array elements sorted by content, volatile fields such as ids, clocks, ports, paths, sizes and
 * epochs masked): run against Kafka and against Gregor, then {@code compare} the two files. See bench/wire-diff.sh.
 *
 * <pre>
 *   WireSweep run PORT        answers, one line each, on stdout
 *   WireSweep compare A B     the answers that differ, with the fields and words only one side has
 * </pre>
 */
public final class WireSweep {
  private static int port;

  public static void main(String[] args) throws Exception {
    if (args[0].equals("compare")) {
      compare(Path.of(args[1]), Path.of(args[2]));
      return;
    }
    port = Integer.parseInt(args[1]);
    if (args[0].equals("fuzz")) {
      fuzzRandom = new java.util.Random(Long.parseLong(args[2]));
      fuzzPerRequest = Integer.parseInt(args[3]);
      fuzzDir = Path.of(args[4]);
      Files.createDirectories(fuzzDir);
    }
    setUp();
    long now = System.currentTimeMillis();
    latest("create-ok", ApiKeys.CREATE_TOPICS, create(false, topic("d1", 3, (short) 1, "retention.ms", "100000")));
    latest("create-dup", ApiKeys.CREATE_TOPICS, create(false, topic("d1", 3, (short) 1)));
    latest("create-bad", ApiKeys.CREATE_TOPICS, create(false, topic("bad name", 1, (short) 1), topic("d2", 0, (short) 1), topic("d3", 1, (short) 3), topic("d4", 1, (short) 1, "retention.ms", "x"), topic("d5", 1, (short) 1, "no.such", "1"), topic("d6", -1, (short) -1)));
    latest("create-validate", ApiKeys.CREATE_TOPICS, create(true, topic("d7", 2, (short) 1)));
    MetadataRequestData md = new MetadataRequestData().setAllowAutoTopicCreation(false);
    md.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("d1"), new MetadataRequestData.MetadataRequestTopic().setName("nope"))));
    latest("metadata", ApiKeys.METADATA, md);
    DescribeConfigsRequestData dc = new DescribeConfigsRequestData().setIncludeSynonyms(true).setIncludeDocumentation(false);
    dc.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("d1").setConfigurationKeys(List.of("retention.ms", "cleanup.policy", "segment.bytes")));
    dc.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("nope").setConfigurationKeys(null));
    dc.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1").setConfigurationKeys(List.of("log.retention.hours", "num.io.threads", "log.dirs")));
    latest("describe-configs", ApiKeys.DESCRIBE_CONFIGS, dc);
    IncrementalAlterConfigsRequestData ia = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource r1 = new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("d1");
    r1.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("2000"));
    ia.resources().add(r1);
    IncrementalAlterConfigsRequestData.AlterConfigsResource r2 = new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("nope");
    r2.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("2000"));
    ia.resources().add(r2);
    latest("inc-alter", ApiKeys.INCREMENTAL_ALTER_CONFIGS, ia);
    IncrementalAlterConfigsRequestData ib = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource r3 = new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("d1");
    r3.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("abc"));
    ib.resources().add(r3);
    latest("inc-alter-bad", ApiKeys.INCREMENTAL_ALTER_CONFIGS, ib);
    IncrementalAlterConfigsRequestData ic = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource r4 = new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("d1");
    r4.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("no.such.config").setConfigOperation((byte) 0).setValue("1"));
    ic.resources().add(r4);
    latest("inc-alter-unknown", ApiKeys.INCREMENTAL_ALTER_CONFIGS, ic);
    CreatePartitionsRequestData cp = new CreatePartitionsRequestData().setTimeoutMs(30000);
    cp.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("d1").setCount(4).setAssignments(null));
    cp.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("nope").setCount(4).setAssignments(null));
    latest("create-partitions", ApiKeys.CREATE_PARTITIONS, cp);
    CreatePartitionsRequestData cp2 = new CreatePartitionsRequestData().setTimeoutMs(30000);
    cp2.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("d1").setCount(2).setAssignments(null));
    latest("create-partitions-dec", ApiKeys.CREATE_PARTITIONS, cp2);
    MemoryRecords recs = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "k".getBytes(), "v1".getBytes()), new SimpleRecord(now + 5, "k".getBytes(), "v2".getBytes()));
    ProduceRequestData pd = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30000);
    // v13 addresses by topic id; use v12 with names
    ProduceRequestData.TopicProduceData tpd = new ProduceRequestData.TopicProduceData().setName("d1");
    tpd.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(recs));
    tpd.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(99).setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "v".getBytes()))));
    pd.topicData().add(tpd);
    pd.topicData().add(new ProduceRequestData.TopicProduceData().setName("nope"));
    pd.topicData().find("nope", Uuid.ZERO_UUID).partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "v".getBytes()))));
    latest("produce", ApiKeys.PRODUCE, (short) 12, pd);
    for (long ts : new long[]{-2, -1, -3, -4, -5, 0, now + 2, now + 100000}) {
      ListOffsetsRequestData lo = new ListOffsetsRequestData().setReplicaId(-1).setIsolationLevel((byte) 0);
      ListOffsetsRequestData.ListOffsetsTopic lt = new ListOffsetsRequestData.ListOffsetsTopic().setName("d1");
      lt.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(ts).setCurrentLeaderEpoch(-1));
      lt.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(77).setTimestamp(ts).setCurrentLeaderEpoch(-1));
      lo.topics().add(lt);
      latest("list-offsets " + (ts > 1000 ? "ts+" + (ts - now) : ts), ApiKeys.LIST_OFFSETS, lo);
    }
    for (long off : new long[]{0, 1, 2, 100}) {
      FetchRequestData fd = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(10).setMinBytes(0).setMaxBytes(1 << 20).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
      FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setTopic("d1");
      ft.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(off).setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
      fd.topics().add(ft);
      latest("fetch " + off, ApiKeys.FETCH, (short) 12, fd);
    }
    OffsetForLeaderEpochRequestData oe = new OffsetForLeaderEpochRequestData().setReplicaId(-1);
    OffsetForLeaderEpochRequestData.OffsetForLeaderTopic ot = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("d1");
    ot.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(-1));
    ot.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(1).setLeaderEpoch(5).setCurrentLeaderEpoch(-1));
    ot.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(50).setLeaderEpoch(0).setCurrentLeaderEpoch(-1));
    oe.topics().add(ot);
    latest("offset-for-epoch", ApiKeys.OFFSET_FOR_LEADER_EPOCH, oe);
    DeleteRecordsRequestData dr = new DeleteRecordsRequestData().setTimeoutMs(30000);
    DeleteRecordsRequestData.DeleteRecordsTopic drt = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("d1");
    drt.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(1));
    drt.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1).setOffset(5));
    drt.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(9).setOffset(0));
    dr.topics().add(drt);
    latest("delete-records", ApiKeys.DELETE_RECORDS, dr);
    latest("describe-cluster", ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterRequestData());
    DescribeTopicPartitionsRequestData dtp = new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(2000);
    dtp.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("d1"));
    dtp.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("nope"));
    latest("describe-topic-partitions", ApiKeys.DESCRIBE_TOPIC_PARTITIONS, dtp);
    FindCoordinatorRequestData fc = new FindCoordinatorRequestData().setKeyType((byte) 0);
    fc.coordinatorKeys().add("g");
    latest("find-coordinator", ApiKeys.FIND_COORDINATOR, fc);
    latest("find-coordinator-v3", ApiKeys.FIND_COORDINATOR, (short) 3, new FindCoordinatorRequestData().setKeyType((byte) 0).setKey("g"));
    latest("init-producer-id", ApiKeys.INIT_PRODUCER_ID, new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000).setProducerId(-1).setProducerEpoch((short) -1));
    latest("list-groups", ApiKeys.LIST_GROUPS, new ListGroupsRequestData());
    DescribeGroupsRequestData dg = new DescribeGroupsRequestData(); dg.groups().add("nope");
    latest("describe-groups", ApiKeys.DESCRIBE_GROUPS, dg);
    OffsetFetchRequestData of = new OffsetFetchRequestData();
    of.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("nope").setTopics(null));
    latest("offset-fetch", ApiKeys.OFFSET_FETCH, of);
    DeleteTopicsRequestData dt = new DeleteTopicsRequestData().setTimeoutMs(30000);
    dt.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("d1"));
    dt.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("nope"));
    latest("delete-topics", ApiKeys.DELETE_TOPICS, dt);
    sweep("create", ApiKeys.CREATE_TOPICS, oldest(ApiKeys.CREATE_TOPICS), ApiKeys.CREATE_TOPICS.latestVersion(), v -> {
      CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(30000);
      d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("s" + v).setNumPartitions(2).setReplicationFactor((short) 1));
      d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("s" + v).setNumPartitions(2).setReplicationFactor((short) 1));
      d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("t" + v).setNumPartitions(2).setReplicationFactor((short) 1));
      d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("bad/" + v).setNumPartitions(1).setReplicationFactor((short) 1));
      return d;
    });
    sweep("metadata", ApiKeys.METADATA, oldest(ApiKeys.METADATA), (short) 12, v -> {
      MetadataRequestData d = new MetadataRequestData();
      if (v >= 4) d.setAllowAutoTopicCreation(false);
      d.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("t1"), new MetadataRequestData.MetadataRequestTopic().setName("bad/x"))));
      if (v >= 8 && v <= 10) d.setIncludeClusterAuthorizedOperations(false);
      return d;
    });
    sweep("produce", ApiKeys.PRODUCE, oldest(ApiKeys.PRODUCE), (short) 12, v -> {
      ProduceRequestData d = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30000);
      ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName("t1");
      t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now + v, ("k" + v).getBytes(), "v".getBytes()))));
      t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(5).setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "v".getBytes()))));
      d.topicData().add(t);
      ProduceRequestData.TopicProduceData n = new ProduceRequestData.TopicProduceData().setName("nope-" + v);
      n.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "v".getBytes()))));
      d.topicData().add(n);
      return d;
    });
    sweep("list-offsets", ApiKeys.LIST_OFFSETS, oldest(ApiKeys.LIST_OFFSETS), ApiKeys.LIST_OFFSETS.latestVersion(), v -> {
      ListOffsetsRequestData d = new ListOffsetsRequestData().setReplicaId(-1);
      if (v >= 2) d.setIsolationLevel((byte) 0);
      ListOffsetsRequestData.ListOffsetsTopic t = new ListOffsetsRequestData.ListOffsetsTopic().setName("t1");
      for (long ts : new long[]{-1, -2, now + 3}) {
        ListOffsetsRequestData.ListOffsetsPartition p = new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(ts == -1 ? 0 : ts == -2 ? 1 : 0).setTimestamp(ts);
        if (v >= 4) p.setCurrentLeaderEpoch(-1);
        t.partitions().add(p);
      }
      t.partitions().add(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(9).setTimestamp(-1));
      d.topics().add(t);
      return d;
    });
    sweep("fetch", ApiKeys.FETCH, oldest(ApiKeys.FETCH), (short) 12, v -> {
      FetchRequestData d = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20);
      if (v >= 4) d.setIsolationLevel((byte) 0);
      if (v >= 7) d.setSessionId(0).setSessionEpoch(-1);
      FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopic("t1");
      for (long off : new long[]{0, 50}) {
        FetchRequestData.FetchPartition p = new FetchRequestData.FetchPartition().setPartition(off == 0 ? 0 : 1).setFetchOffset(off).setPartitionMaxBytes(1 << 20);
        if (v >= 5) p.setLogStartOffset(-1);
        if (v >= 9) p.setCurrentLeaderEpoch(-1);
        if (v >= 12) p.setLastFetchedEpoch(-1);
        t.partitions().add(p);
      }
      d.topics().add(t);
      return d;
    });
    sweep("offset-for-epoch", ApiKeys.OFFSET_FOR_LEADER_EPOCH, oldest(ApiKeys.OFFSET_FOR_LEADER_EPOCH), ApiKeys.OFFSET_FOR_LEADER_EPOCH.latestVersion(), v -> {
      OffsetForLeaderEpochRequestData d = new OffsetForLeaderEpochRequestData();
      if (v >= 3) d.setReplicaId(-1);
      OffsetForLeaderEpochRequestData.OffsetForLeaderTopic t = new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic("t1");
      t.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(-1));
      t.partitions().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(7).setLeaderEpoch(0).setCurrentLeaderEpoch(-1));
      d.topics().add(t);
      return d;
    });
    sweep("describe-configs", ApiKeys.DESCRIBE_CONFIGS, oldest(ApiKeys.DESCRIBE_CONFIGS), ApiKeys.DESCRIBE_CONFIGS.latestVersion(), v -> {
      DescribeConfigsRequestData d = new DescribeConfigsRequestData();
      d.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("t1").setConfigurationKeys(List.of("retention.ms", "cleanup.policy")));
      d.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("nope").setConfigurationKeys(List.of("retention.ms")));
      d.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1").setConfigurationKeys(List.of("log.retention.hours")));
      if (v >= 1) d.setIncludeSynonyms(true);
      return d;
    });
    sweep("create-partitions", ApiKeys.CREATE_PARTITIONS, oldest(ApiKeys.CREATE_PARTITIONS), ApiKeys.CREATE_PARTITIONS.latestVersion(), v -> {
      CreatePartitionsRequestData d = new CreatePartitionsRequestData().setTimeoutMs(30000);
      d.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("s" + ApiKeys.CREATE_TOPICS.latestVersion()).setCount(3 + v).setAssignments(null));
      d.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("t1").setCount(1).setAssignments(null));
      return d;
    });
    sweep("delete-records", ApiKeys.DELETE_RECORDS, oldest(ApiKeys.DELETE_RECORDS), ApiKeys.DELETE_RECORDS.latestVersion(), v -> {
      DeleteRecordsRequestData d = new DeleteRecordsRequestData().setTimeoutMs(30000);
      DeleteRecordsRequestData.DeleteRecordsTopic t = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("t1");
      t.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(v));
      t.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(1).setOffset(99));
      d.topics().add(t);
      return d;
    });
    sweep("find-coordinator", ApiKeys.FIND_COORDINATOR, oldest(ApiKeys.FIND_COORDINATOR), ApiKeys.FIND_COORDINATOR.latestVersion(), v -> {
      FindCoordinatorRequestData d = new FindCoordinatorRequestData();
      if (v >= 4) d.coordinatorKeys().add("g"); else d.setKey("g");
      return d;
    });
    sweep("offset-fetch", ApiKeys.OFFSET_FETCH, oldest(ApiKeys.OFFSET_FETCH), ApiKeys.OFFSET_FETCH.latestVersion(), v -> {
      OffsetFetchRequestData d = new OffsetFetchRequestData();
      if (v >= 8) { d.groups().add(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("nog").setTopics(null)); }
      else { d.setGroupId("nog"); d.setTopics(v >= 2 ? null : new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("t1").setPartitionIndexes(List.of(0))))); }
      return d;
    });
    sweep("list-groups", ApiKeys.LIST_GROUPS, oldest(ApiKeys.LIST_GROUPS), ApiKeys.LIST_GROUPS.latestVersion(), v -> new ListGroupsRequestData());
    sweep("describe-groups", ApiKeys.DESCRIBE_GROUPS, oldest(ApiKeys.DESCRIBE_GROUPS), ApiKeys.DESCRIBE_GROUPS.latestVersion(), v -> { DescribeGroupsRequestData d = new DescribeGroupsRequestData(); d.groups().add("nog"); return d; });
    sweep("init-pid", ApiKeys.INIT_PRODUCER_ID, oldest(ApiKeys.INIT_PRODUCER_ID), ApiKeys.INIT_PRODUCER_ID.latestVersion(), v -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000));
    sweep("describe-log-dirs", ApiKeys.DESCRIBE_LOG_DIRS, oldest(ApiKeys.DESCRIBE_LOG_DIRS), ApiKeys.DESCRIBE_LOG_DIRS.latestVersion(), v -> {
      DescribeLogDirsRequestData d = new DescribeLogDirsRequestData();
      DescribeLogDirsRequestData.DescribableLogDirTopicCollection c = new DescribeLogDirsRequestData.DescribableLogDirTopicCollection();
      c.add(new DescribeLogDirsRequestData.DescribableLogDirTopic().setTopic("t1").setPartitions(List.of(0, 9)));
      return d.setTopics(c);
    });
    sweep("delete-topics", ApiKeys.DELETE_TOPICS, oldest(ApiKeys.DELETE_TOPICS), ApiKeys.DELETE_TOPICS.latestVersion(), v -> {
      DeleteTopicsRequestData d = new DeleteTopicsRequestData().setTimeoutMs(30000);
      if (v >= 6) { d.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("s" + v)); d.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("nope")); }
      else d.setTopicNames(List.of("s" + v, "nope"));
      return d;
    });
    groups();
    produceEdges();
    consumerGroups();
    moreAdmin();
    autoCreation();
    adminCorners();
    groupConfigs();
  }

  /**
   * Admin requests with the less common shapes: manual replica assignments, list-config operations, the legacy
   * AlterConfigs, DeleteRecords at -1 and past the end, paged DescribeTopicPartitions, Metadata by topic id, a fetch
   * whose first batch is larger than its partition limit, and config documentation.
   */
  private static void adminCorners() throws Exception {
    long now = System.currentTimeMillis();
    CreateTopicsRequestData ca = new CreateTopicsRequestData().setTimeoutMs(30000);
    ca.topics().add(manual("assigned", -1, (short) -1, new int[] {0, 1}, List.of(1), List.of(1)));
    ca.topics().add(manual("elsewhere", -1, (short) -1, new int[] {0}, List.of(7)));
    ca.topics().add(manual("both", 2, (short) 1, new int[] {0}, List.of(1)));
    ca.topics().add(manual("gap", -1, (short) -1, new int[] {1}, List.of(1)));
    ca.topics().add(manual("twice", -1, (short) -1, new int[] {0}, List.of(1, 1)));
    CreateTopicsRequestData.CreatableTopic badConfig = manual("bad-config", 1, (short) 1, new int[] {0}, List.of(1));
    badConfig.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName("retention.ms").setValue("soon"));
    ca.topics().add(badConfig);
    latest("create-assigned", ApiKeys.CREATE_TOPICS, ca);

    CreatePartitionsRequestData cpa = new CreatePartitionsRequestData().setTimeoutMs(30000);
    cpa.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("assigned").setCount(3)
        .setAssignments(new ArrayList<>(List.of(new CreatePartitionsRequestData.CreatePartitionsAssignment().setBrokerIds(List.of(1))))));
    latest("create-partitions-assigned", ApiKeys.CREATE_PARTITIONS, cpa);
    CreatePartitionsRequestData cpb = new CreatePartitionsRequestData().setTimeoutMs(30000);
    cpb.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("assigned").setCount(5)
        .setAssignments(new ArrayList<>(List.of(new CreatePartitionsRequestData.CreatePartitionsAssignment().setBrokerIds(List.of(1))))));
    latest("create-partitions-too-few-assignments", ApiKeys.CREATE_PARTITIONS, cpb);
    CreatePartitionsRequestData cpc = new CreatePartitionsRequestData().setTimeoutMs(30000).setValidateOnly(true);
    cpc.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("assigned").setCount(4)
        .setAssignments(new ArrayList<>(List.of(new CreatePartitionsRequestData.CreatePartitionsAssignment().setBrokerIds(List.of(9))))));
    latest("create-partitions-unknown-broker", ApiKeys.CREATE_PARTITIONS, cpc);

    // Kafka's controller bounds a request: 10,000 partitions in all, 10,000 records (a topic's, one per partition and config).
    latest("create-over-10000-partitions", ApiKeys.CREATE_TOPICS, create(false, topic("huge-a", 5000, (short) 1), topic("huge-b", 5001, (short) 1)));
    latest("create-max-int-partitions", ApiKeys.CREATE_TOPICS, create(false, topic("huge-c", Integer.MAX_VALUE, (short) 1)));
    latest("create-9999-partitions-validate", ApiKeys.CREATE_TOPICS, create(true, topic("huge-d", 9999, (short) 1)));
    latest("create-10000-partitions-validate", ApiKeys.CREATE_TOPICS, create(true, topic("huge-d", 10000, (short) 1)));
    latest("create-9999-partitions-config-validate", ApiKeys.CREATE_TOPICS, create(true, topic("huge-d", 9999, (short) 1, "retention.ms", "1000")));
    latest("create-duplicates-not-counted-validate", ApiKeys.CREATE_TOPICS,
        create(true, topic("dup", 6000, (short) 1), topic("dup", 6000, (short) 1), topic("huge-e", 5000, (short) 1)));
    CreateTopicsRequestData.CreatableTopic[] many = new CreateTopicsRequestData.CreatableTopic[5001];
    for (int i = 0; i < 5000; i++) {
      many[i] = topic("many-" + i, 1, (short) 1);
    }
    many[5000] = topic("many-last", 1, (short) 1);
    latest("create-5001-topics-validate", ApiKeys.CREATE_TOPICS, create(true, many));
    many[5000] = topic("bad/name", 1, (short) 1);
    latest("create-5000-topics-and-a-bad-name-validate", ApiKeys.CREATE_TOPICS, create(true, many));
    CreatePartitionsRequestData cpd = new CreatePartitionsRequestData().setTimeoutMs(30000).setValidateOnly(true);
    cpd.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("assigned").setCount(10003).setAssignments(null));
    latest("create-partitions-10000-more-validate", ApiKeys.CREATE_PARTITIONS, cpd);
    CreatePartitionsRequestData cpe = new CreatePartitionsRequestData().setTimeoutMs(30000).setValidateOnly(true);
    cpe.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("assigned").setCount(10004).setAssignments(null));
    latest("create-partitions-10001-more-validate", ApiKeys.CREATE_PARTITIONS, cpe);
    // Kafka 4.4 adds up what the request's existing topics would gain (decreases and unknown topics count nothing).
    String[][][] bounds = {
        {{"assigned", "6003"}, {"t1", "6002"}},
        {{"assigned", "5003"}, {"t1", "5002"}},
        {{"nope", "20000"}, {"assigned", "5003"}},
        {{"assigned", "1"}, {"t1", "10003"}},
        {{"t1", "10003"}, {"assigned", "1"}},
        {{"t1", "10002"}, {"assigned", "4"}},
    };
    int bound = 0;
    for (String[][] topics : bounds) {
      CreatePartitionsRequestData d = new CreatePartitionsRequestData().setTimeoutMs(30000).setValidateOnly(true);
      for (String[] t : topics) {
        d.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(t[0]).setCount(Integer.parseInt(t[1])).setAssignments(null));
      }
      latest("create-partitions-bound-" + bound++, ApiKeys.CREATE_PARTITIONS, d);
    }

    String[][] ops = {{"2", "compact"}, {"2", "compact"}, {"3", "delete"}, {"3", "nothing"}, {"1", null}, {"2", "bogus"}, {"0", "delete,compact"}};
    for (String[] op : ops) {
      IncrementalAlterConfigsRequestData d = new IncrementalAlterConfigsRequestData();
      IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
          .setResourceType((byte) 2).setResourceName("assigned");
      r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("cleanup.policy")
          .setConfigOperation(Byte.parseByte(op[0])).setValue(op[1]));
      d.resources().add(r);
      latest("inc-alter-list op" + op[0] + " " + op[1], ApiKeys.INCREMENTAL_ALTER_CONFIGS, d);
      DescribeConfigsRequestData dc = new DescribeConfigsRequestData();
      dc.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
          .setResourceName("assigned").setConfigurationKeys(List.of("cleanup.policy")));
      latest("after op" + op[0] + " " + op[1], ApiKeys.DESCRIBE_CONFIGS, dc);
    }
    IncrementalAlterConfigsRequestData twiceIn = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource tr = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 2).setResourceName("assigned");
    tr.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("1000"));
    tr.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("2000"));
    twiceIn.resources().add(tr);
    latest("inc-alter-same-key-twice", ApiKeys.INCREMENTAL_ALTER_CONFIGS, twiceIn);
    IncrementalAlterConfigsRequestData sameResource = new IncrementalAlterConfigsRequestData();
    for (int i = 0; i < 2; i++) {
      IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
          .setResourceType((byte) 2).setResourceName("assigned");
      r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("300" + i));
      sameResource.resources().add(r);
    }
    latest("inc-alter-same-resource-twice", ApiKeys.INCREMENTAL_ALTER_CONFIGS, sameResource);
    IncrementalAlterConfigsRequestData validate = new IncrementalAlterConfigsRequestData().setValidateOnly(true);
    IncrementalAlterConfigsRequestData.AlterConfigsResource vr = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 2).setResourceName("assigned");
    vr.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("segment.bytes").setConfigOperation((byte) 0).setValue("100"));
    validate.resources().add(vr);
    IncrementalAlterConfigsRequestData.AlterConfigsResource broker = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 4).setResourceName("");
    broker.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("log.retention.ms").setConfigOperation((byte) 0).setValue("5000"));
    validate.resources().add(broker);
    latest("inc-alter-validate", ApiKeys.INCREMENTAL_ALTER_CONFIGS, validate);

    AlterConfigsRequestData ac = new AlterConfigsRequestData();
    AlterConfigsRequestData.AlterConfigsResource acr = new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("assigned");
    acr.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("7000"));
    ac.resources().add(acr);
    AlterConfigsRequestData.AlterConfigsResource acn = new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("nope");
    acn.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("7000"));
    ac.resources().add(acn);
    AlterConfigsRequestData.AlterConfigsResource acb = new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("both");
    acb.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("max.message.bytes").setValue("-5"));
    ac.resources().add(acb);
    sweep("alter-configs", ApiKeys.ALTER_CONFIGS, oldest(ApiKeys.ALTER_CONFIGS), ApiKeys.ALTER_CONFIGS.latestVersion(), v -> ac);
    DescribeConfigsRequestData all = new DescribeConfigsRequestData().setIncludeSynonyms(true).setIncludeDocumentation(true);
    all.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2)
        .setResourceName("assigned").setConfigurationKeys(List.of("retention.ms", "cleanup.policy", "max.message.bytes", "segment.bytes")));
    latest("describe-configs-doc", ApiKeys.DESCRIBE_CONFIGS, all);
    IncrementalAlterConfigsRequestData unknownBad = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource ub = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 2).setResourceName("nope2");
    ub.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("abc"));
    unknownBad.resources().add(ub);
    latest("inc-alter-unknown-topic-bad-value", ApiKeys.INCREMENTAL_ALTER_CONFIGS, unknownBad);

    try (Raw c = new Raw(port)) {
      for (int i = 0; i < 3; i++) {
        ProduceRequestData pd = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData().setName("assigned");
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
            MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "k".getBytes(), new byte[3000]))));
        pd.topicData().add(t);
        c.send(ApiKeys.PRODUCE, (short) 12, pd);
      }
    }
    FetchRequestData small = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(5000)
        .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
    FetchRequestData.FetchTopic sft = new FetchRequestData.FetchTopic().setTopic("assigned");
    sft.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(100)
        .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
    sft.partitions().add(new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(0).setPartitionMaxBytes(100)
        .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
    small.topics().add(sft);
    print("fetch-first-batch-over-limits", ApiKeys.FETCH, (short) 12, small);
    FetchRequestData zero = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(0)
        .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
    FetchRequestData.FetchTopic zft = new FetchRequestData.FetchTopic().setTopic("assigned");
    zft.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(1).setPartitionMaxBytes(0)
        .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
    zero.topics().add(zft);
    print("fetch-zero-max-bytes", ApiKeys.FETCH, (short) 12, zero);

    for (long off : new long[] {-1, 1, 9, -7}) {
      DeleteRecordsRequestData dr = new DeleteRecordsRequestData().setTimeoutMs(30000);
      DeleteRecordsRequestData.DeleteRecordsTopic drt = new DeleteRecordsRequestData.DeleteRecordsTopic().setName("assigned");
      drt.partitions().add(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(off));
      dr.topics().add(drt);
      latest("delete-records " + off, ApiKeys.DELETE_RECORDS, dr);
    }

    DescribeTopicPartitionsRequestData paged = new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(2);
    paged.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("assigned"));
    paged.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("both"));
    latest("describe-topic-partitions-paged", ApiKeys.DESCRIBE_TOPIC_PARTITIONS, paged);
    DescribeTopicPartitionsRequestData cursor = new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(2)
        .setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName("assigned").setPartitionIndex(1));
    cursor.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("assigned"));
    cursor.topics().add(new DescribeTopicPartitionsRequestData.TopicRequest().setName("both"));
    latest("describe-topic-partitions-cursor", ApiKeys.DESCRIBE_TOPIC_PARTITIONS, cursor);
    DescribeTopicPartitionsRequestData everything = new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(3);
    latest("describe-topic-partitions-all-topics", ApiKeys.DESCRIBE_TOPIC_PARTITIONS, everything);

    // kafka-reassign-partitions on one node: the only valid target is the partition's own replica.
    for (boolean allowRf : new boolean[] {true, false}) {
      AlterPartitionReassignmentsRequestData apr = new AlterPartitionReassignmentsRequestData().setTimeoutMs(30000)
          .setAllowReplicationFactorChange(allowRf);
      AlterPartitionReassignmentsRequestData.ReassignableTopic rt = new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("assigned");
      rt.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(1)));
      rt.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(1).setReplicas(List.of(1, 2)));
      rt.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(2).setReplicas(null));
      rt.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(9).setReplicas(List.of(1)));
      apr.topics().add(rt);
      AlterPartitionReassignmentsRequestData.ReassignableTopic more = new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("both");
      more.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0).setReplicas(List.of()));
      more.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(1).setReplicas(List.of(1, 1)));
      more.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(2).setReplicas(List.of(3)));
      apr.topics().add(more);
      AlterPartitionReassignmentsRequestData.ReassignableTopic none = new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName("nope");
      none.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0).setReplicas(List.of(1)));
      apr.topics().add(none);
      latest("alter-reassignments allow-rf " + allowRf, ApiKeys.ALTER_PARTITION_REASSIGNMENTS, apr);
    }
    // The throttle rates kafka-reassign-partitions --throttle sets on the brokers (and --verify clears).
    for (String[] rate : new String[][] {{"1", "leader.replication.throttled.rate", "1000"}, {"1", "follower.replication.throttled.rate", "abc"},
        {"1", "replica.alter.log.dirs.io.max.bytes.per.second", "-5"}, {"", "leader.replication.throttled.rate", "2000"}}) {
      IncrementalAlterConfigsRequestData d = new IncrementalAlterConfigsRequestData();
      IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
          .setResourceType((byte) 4).setResourceName(rate[0]);
      r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(rate[1]).setConfigOperation((byte) 0).setValue(rate[2]));
      d.resources().add(r);
      latest("inc-alter-throttle " + rate[0] + " " + rate[1] + "=" + rate[2], ApiKeys.INCREMENTAL_ALTER_CONFIGS, d);
    }
    Thread.sleep(1000); // Kafka's broker applies the controller's config records a moment later
    for (String resource : new String[] {"1", ""}) {
      DescribeConfigsRequestData rates = new DescribeConfigsRequestData().setIncludeSynonyms(true);
      rates.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName(resource)
          .setConfigurationKeys(List.of("leader.replication.throttled.rate", "follower.replication.throttled.rate")));
      latest("describe-throttle '" + resource + "'", ApiKeys.DESCRIBE_CONFIGS, rates);
    }
    IncrementalAlterConfigsRequestData clear = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource cr = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 4).setResourceName("1");
    for (String key : new String[] {"leader.replication.throttled.rate", "follower.replication.throttled.rate", "replica.alter.log.dirs.io.max.bytes.per.second"}) {
      cr.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(key).setConfigOperation((byte) 1).setValue(null));
    }
    clear.resources().add(cr);
    latest("inc-alter-throttle-clear", ApiKeys.INCREMENTAL_ALTER_CONFIGS, clear);
    latest("list-reassignments all", ApiKeys.LIST_PARTITION_REASSIGNMENTS, new ListPartitionReassignmentsRequestData().setTopics(null));
    ListPartitionReassignmentsRequestData lpr = new ListPartitionReassignmentsRequestData();
    lpr.setTopics(new ArrayList<>(List.of(new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics().setName("assigned")
        .setPartitionIndexes(List.of(0, 1, 7)), new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics().setName("nope")
        .setPartitionIndexes(List.of(0)))));
    latest("list-reassignments named", ApiKeys.LIST_PARTITION_REASSIGNMENTS, lpr);

    // Standalone commits (assign() + commitSync(): no member, generation -1) and what Kafka refuses in them.
    String[][] commits = {{"standalone", "assigned", "0", ""}, {"unknown-topic", "nope-commit", "0", ""},
        {"unknown-partition", "assigned", "42", ""}, {"big-metadata", "assigned", "1", "m".repeat(5000)}, {"no-group", "assigned", "0", ""}};
    for (String[] commit : commits) {
      OffsetCommitRequestData oc = new OffsetCommitRequestData().setGroupId(commit[0].equals("no-group") ? "" : "standalone-group")
          .setGenerationIdOrMemberEpoch(-1).setMemberId("");
      OffsetCommitRequestData.OffsetCommitRequestTopic ot = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(commit[1]);
      ot.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(Integer.parseInt(commit[2]))
          .setCommittedOffset(2).setCommittedMetadata(commit[3]));
      oc.topics().add(ot);
      latest("offset-commit-" + commit[0], ApiKeys.OFFSET_COMMIT, (short) 9, oc);
    }
    OffsetFetchRequestData of2 = new OffsetFetchRequestData();
    OffsetFetchRequestData.OffsetFetchRequestGroup fg = new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("standalone-group");
    fg.setTopics(new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("assigned").setPartitionIndexes(List.of(0, 1, 42)),
        new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("nope-commit").setPartitionIndexes(List.of(0)))));
    of2.groups().add(fg);
    latest("offset-fetch-standalone", ApiKeys.OFFSET_FETCH, (short) 9, of2);
    OffsetFetchRequestData emptyGroup = new OffsetFetchRequestData();
    OffsetFetchRequestData.OffsetFetchRequestGroup eg = new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("");
    eg.setTopics(new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("assigned").setPartitionIndexes(List.of(0)))));
    emptyGroup.groups().add(eg);
    latest("offset-fetch-empty-group", ApiKeys.OFFSET_FETCH, (short) 9, emptyGroup);
    latest("offset-fetch-empty-group-v3", ApiKeys.OFFSET_FETCH, (short) 3, new OffsetFetchRequestData().setGroupId("").setTopics(
        new ArrayList<>(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("assigned").setPartitionIndexes(List.of(0))))));
    OffsetDeleteRequestData emptyDelete = new OffsetDeleteRequestData().setGroupId("");
    OffsetDeleteRequestData.OffsetDeleteRequestTopic edt = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("assigned");
    edt.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
    emptyDelete.topics().add(edt);
    latest("offset-delete-empty-group", ApiKeys.OFFSET_DELETE, emptyDelete);
    DescribeGroupsRequestData emptyDescribe = new DescribeGroupsRequestData();
    emptyDescribe.groups().add("");
    latest("describe-groups-empty-group", ApiKeys.DESCRIBE_GROUPS, emptyDescribe);
    latest("heartbeat-empty-group", ApiKeys.HEARTBEAT, new HeartbeatRequestData().setGroupId("").setGenerationId(1).setMemberId("m"));
    latest("sync-empty-group", ApiKeys.SYNC_GROUP, new SyncGroupRequestData().setGroupId("").setGenerationId(1).setMemberId("m")
        .setProtocolType("consumer").setProtocolName("range"));
    LeaveGroupRequestData emptyLeave = new LeaveGroupRequestData().setGroupId("");
    emptyLeave.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId("m"));
    latest("leave-empty-group", ApiKeys.LEAVE_GROUP, emptyLeave);
    DeleteGroupsRequestData emptyDeleteGroups = new DeleteGroupsRequestData();
    emptyDeleteGroups.groupsNames().add("");
    latest("delete-groups-empty-group", ApiKeys.DELETE_GROUPS, emptyDeleteGroups);
    sweep("offset-commit-standalone", ApiKeys.OFFSET_COMMIT, oldest(ApiKeys.OFFSET_COMMIT), (short) 9, v -> {
      OffsetCommitRequestData oc = new OffsetCommitRequestData().setGroupId("standalone-" + v).setGenerationIdOrMemberEpoch(-1).setMemberId("");
      OffsetCommitRequestData.OffsetCommitRequestTopic ot = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("assigned");
      ot.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1));
      oc.topics().add(ot);
      return oc;
    });

    // ListGroups filters (KIP-518 states, KIP-848 types) over the groups made above, and authorized operations asked for.
    for (String[] filter : new String[][] {{"Empty", ""}, {"Stable", ""}, {"", "classic"}, {"", "consumer"}, {"empty", "CLASSIC"}, {"Bogus", ""}, {"", "bogus"}}) {
      ListGroupsRequestData lg = new ListGroupsRequestData();
      if (!filter[0].isEmpty()) {
        lg.setStatesFilter(List.of(filter[0]));
      }
      if (!filter[1].isEmpty()) {
        lg.setTypesFilter(List.of(filter[1]));
      }
      latest("list-groups-filter states=" + filter[0] + " types=" + filter[1], ApiKeys.LIST_GROUPS, lg);
    }
    latest("describe-cluster-ops", ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(true));
    DescribeGroupsRequestData dgOps = new DescribeGroupsRequestData().setIncludeAuthorizedOperations(true);
    dgOps.groups().add("standalone-group");
    dgOps.groups().add("missing-group");
    latest("describe-groups-ops", ApiKeys.DESCRIBE_GROUPS, dgOps);
    MetadataRequestData mdOps = new MetadataRequestData().setAllowAutoTopicCreation(false).setIncludeTopicAuthorizedOperations(true);
    mdOps.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("assigned"))));
    latest("metadata-ops", ApiKeys.METADATA, (short) 12, mdOps);
    MetadataRequestData mdOps10 = new MetadataRequestData().setAllowAutoTopicCreation(false).setIncludeTopicAuthorizedOperations(true)
        .setIncludeClusterAuthorizedOperations(true);
    mdOps10.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("assigned"),
        new MetadataRequestData.MetadataRequestTopic().setName("missing-topic"))));
    latest("metadata-ops-v10", ApiKeys.METADATA, (short) 10, mdOps10);

    // DescribeClientQuotas filters (kafka-configs --describe --entity-type users|clients|ips), with no quota set.
    Object[][] quotaFilters = {{}, {"user", (byte) 0, "alice"}, {"client-id", (byte) 1, null}, {"user", (byte) 2, null, "client-id", (byte) 2, null},
        {"ip", (byte) 2, null}, {"ip", (byte) 0, "1.2.3.4", "user", (byte) 2, null}, {"bogus", (byte) 2, null},
        {"user", (byte) 0, null}, {"user", (byte) 2, null, "user", (byte) 0, "bob"}, {"user", (byte) 7, null}, {"user", (byte) 1, "x"}, {"", (byte) 2, null}, {"user", (byte) 2, "x"}};
    for (Object[] f : quotaFilters) {
      for (boolean strict : new boolean[] {false, true}) {
        DescribeClientQuotasRequestData q = new DescribeClientQuotasRequestData().setStrict(strict);
        StringBuilder label = new StringBuilder();
        for (int i = 0; i < f.length; i += 3) {
          q.components().add(new DescribeClientQuotasRequestData.ComponentData().setEntityType((String) f[i]).setMatchType((Byte) f[i + 1])
              .setMatch((String) f[i + 2]));
          label.append(f[i]).append('/').append(f[i + 1]).append('/').append(f[i + 2]).append(' ');
        }
        latest("describe-client-quotas " + label + (strict ? "strict" : ""), ApiKeys.DESCRIBE_CLIENT_QUOTAS, q);
      }
    }

    latest("describe-scram all", ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, new DescribeUserScramCredentialsRequestData().setUsers(null));
    DescribeUserScramCredentialsRequestData scram = new DescribeUserScramCredentialsRequestData();
    scram.setUsers(new ArrayList<>(List.of(new DescribeUserScramCredentialsRequestData.UserName().setName("alice"),
        new DescribeUserScramCredentialsRequestData.UserName().setName("bob"), new DescribeUserScramCredentialsRequestData.UserName().setName("alice"))));
    latest("describe-scram named", ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, scram);
    latest("describe-scram none", ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, new DescribeUserScramCredentialsRequestData().setUsers(new ArrayList<>()));

    // An idempotent producer bumping its epoch (KIP-360) and one naming an id it was never given.
    try (Raw c = new Raw(port)) {
      InitProducerIdResponseData first = (InitProducerIdResponseData) c.send(ApiKeys.INIT_PRODUCER_ID, (short) 5,
          new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000).setProducerId(-1).setProducerEpoch((short) -1));
      System.out.println("init-pid-bump v5\t" + masked(c, ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData().setTransactionalId(null)
          .setTransactionTimeoutMs(60000).setProducerId(first.producerId()).setProducerEpoch(first.producerEpoch())));
      System.out.println("init-pid-stranger v5\t" + masked(c, ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData().setTransactionalId(null)
          .setTransactionTimeoutMs(60000).setProducerId(987654).setProducerEpoch((short) 3)));
      System.out.println("init-pid-half v5\t" + masked(c, ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData().setTransactionalId(null)
          .setTransactionTimeoutMs(60000).setProducerId(first.producerId()).setProducerEpoch((short) -1)));
    }
    // A response-wide max.bytes across partitions, read_committed.
    FetchRequestData wide = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(4000)
        .setIsolationLevel((byte) 1).setSessionId(0).setSessionEpoch(-1);
    FetchRequestData.FetchTopic wt = new FetchRequestData.FetchTopic().setTopic("assigned");
    for (int p = 0; p < 3; p++) {
      wt.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(p == 0 ? 3 : 0).setPartitionMaxBytes(1 << 20)
          .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
    }
    wide.topics().add(wt);
    print("fetch-response-max-bytes-committed", ApiKeys.FETCH, (short) 12, wide);

    try (Raw c = new Raw(port)) {
      Uuid id = topicId(c, "assigned");
      MetadataRequestData byId = new MetadataRequestData().setAllowAutoTopicCreation(false);
      byId.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setTopicId(id).setName(null))));
      System.out.println("metadata-by-id v12\t" + masked(c, ApiKeys.METADATA, (short) 12, byId));
      // As the Java consumer asks for a pattern subscription's topics: ids with "" names; and ids mixed with names.
      MetadataRequestData emptyNames = new MetadataRequestData().setAllowAutoTopicCreation(true);
      emptyNames.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setTopicId(id).setName(""),
          new MetadataRequestData.MetadataRequestTopic().setTopicId(Uuid.randomUuid()).setName(""))));
      System.out.println("metadata-by-id-empty-names v13\t" + masked(c, ApiKeys.METADATA, (short) 13, emptyNames));
      MetadataRequestData mixed = new MetadataRequestData().setAllowAutoTopicCreation(true);
      mixed.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setTopicId(id).setName("t1"),
          new MetadataRequestData.MetadataRequestTopic().setName("t2"),
          new MetadataRequestData.MetadataRequestTopic().setName("mixed-not-created"))));
      System.out.println("metadata-by-id-mixed v13\t" + masked(c, ApiKeys.METADATA, (short) 13, mixed));
    }
  }

  /** A topic to create with the manual assignments {@code partitions[i]} -> {@code replicas[i]}. */
  @SafeVarargs
  private static CreateTopicsRequestData.CreatableTopic manual(String name, int count, short rf, int[] partitions, List<Integer>... replicas) {
    CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(count).setReplicationFactor(rf);
    for (int i = 0; i < partitions.length; i++) {
      t.assignments().add(new CreateTopicsRequestData.CreatableReplicaAssignment().setPartitionIndex(partitions[i]).setBrokerIds(replicas[i]));
    }
    return t;
  }

  private static String masked(Raw c, ApiKeys k, short v, ApiMessage body) {
    try {
      return mask(c.send(k, v, body));
    } catch (Exception e) {
      return "EXCEPTION " + e.getClass().getSimpleName();
    }
  }

  /** Classic group flows, one group per JoinGroup version: join (and rejoin with the id given), sync, heartbeat, commit, leave, with the errors Kafka gives on the way. */
  private static void groups() throws Exception {
    java.nio.ByteBuffer subscription = org.apache.kafka.clients.consumer.internals.ConsumerProtocol.serializeSubscription(
        new org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription(List.of("t1")));
    byte[] metadata = new byte[subscription.remaining()];
    subscription.get(metadata);
    short joinLatest = ApiKeys.JOIN_GROUP.latestVersion(false);
    for (short v = oldest(ApiKeys.JOIN_GROUP); v <= joinLatest; v++) {
      String group = "grp-v" + v;
      try (Raw c = new Raw(port)) {
        JoinGroupRequestData join = new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(10000)
            .setRebalanceTimeoutMs(10000).setMemberId("").setProtocolType("consumer");
        join.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(metadata));
        JoinGroupResponseData joined = (JoinGroupResponseData) c.send(ApiKeys.JOIN_GROUP, v, join);
        System.out.println("group-join v" + v + "\t" + mask(joined));
        if (joined.errorCode() == 79) { // MEMBER_ID_REQUIRED: join again with the id
          join.setMemberId(joined.memberId());
          joined = (JoinGroupResponseData) c.send(ApiKeys.JOIN_GROUP, v, join);
          System.out.println("group-rejoin v" + v + "\t" + mask(joined));
        }
        String member = joined.memberId();
        int generation = joined.generationId();
        JoinGroupRequestData other = new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(10000)
            .setRebalanceTimeoutMs(10000).setMemberId("").setProtocolType("connect");
        other.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("x").setMetadata(new byte[0]));
        System.out.println("group-join-other-type v" + v + "\t" + mask(c.send(ApiKeys.JOIN_GROUP, v, other)));
        JoinGroupRequestData badTimeout = new JoinGroupRequestData().setGroupId(group + "-t").setSessionTimeoutMs(1)
            .setRebalanceTimeoutMs(10000).setMemberId("").setProtocolType("consumer");
        badTimeout.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(metadata));
        System.out.println("group-join-bad-timeout v" + v + "\t" + mask(c.send(ApiKeys.JOIN_GROUP, v, badTimeout)));
        short syncV = (short) Math.min(Math.max(v, oldest(ApiKeys.SYNC_GROUP)), ApiKeys.SYNC_GROUP.latestVersion(false));
        SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setGenerationId(generation).setMemberId(member);
        if (syncV >= 5) {
          sync.setProtocolType("consumer").setProtocolName("range");
        }
        sync.assignments().add(new SyncGroupRequestData.SyncGroupRequestAssignment().setMemberId(member).setAssignment(new byte[0]));
        System.out.println("group-sync v" + syncV + " (join v" + v + ")\t" + mask(c.send(ApiKeys.SYNC_GROUP, syncV, sync)));
        short hbV = (short) Math.min(Math.max(v, oldest(ApiKeys.HEARTBEAT)), ApiKeys.HEARTBEAT.latestVersion(false));
        for (Object[] hb : new Object[][] {{"ok", generation, member}, {"bad-generation", generation + 5, member}, {"unknown-member", generation, "nobody"}}) {
          HeartbeatRequestData h = new HeartbeatRequestData().setGroupId(group).setGenerationId((Integer) hb[1]).setMemberId((String) hb[2]);
          System.out.println("group-heartbeat-" + hb[0] + " v" + hbV + " (join v" + v + ")\t" + mask(c.send(ApiKeys.HEARTBEAT, hbV, h)));
        }
        short commitV = ApiKeys.OFFSET_COMMIT.latestVersion(false);
        for (Object[] oc : new Object[][] {{"ok", generation}, {"bad-generation", generation + 5}}) {
          OffsetCommitRequestData commit = new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch((Integer) oc[1]).setMemberId(member);
          OffsetCommitRequestData.OffsetCommitRequestTopic topic = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("t1");
          topic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1));
          commit.topics().add(topic);
          if (commitV >= 10) {
            topic.setTopicId(topicId(c, "t1"));
          }
          System.out.println("group-commit-" + oc[0] + " (join v" + v + ")\t" + mask(c.send(ApiKeys.OFFSET_COMMIT, commitV, commit)));
        }
        short leaveV = (short) Math.min(Math.max(v, oldest(ApiKeys.LEAVE_GROUP)), ApiKeys.LEAVE_GROUP.latestVersion(false));
        LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
        if (leaveV >= 3) {
          leave.members().add(new LeaveGroupRequestData.MemberIdentity().setMemberId(member));
        } else {
          leave.setMemberId(member);
        }
        System.out.println("group-leave v" + leaveV + " (join v" + v + ")\t" + mask(c.send(ApiKeys.LEAVE_GROUP, leaveV, leave)));
        HeartbeatRequestData after = new HeartbeatRequestData().setGroupId(group).setGenerationId(generation).setMemberId(member);
        System.out.println("group-heartbeat-after-leave v" + hbV + " (join v" + v + ")\t" + mask(c.send(ApiKeys.HEARTBEAT, hbV, after)));
      }
    }
  }

  private static Uuid topicId(Raw c, String topic) throws IOException {
    MetadataRequestData md = new MetadataRequestData().setAllowAutoTopicCreation(false);
    md.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic))));
    return ((MetadataResponseData) c.send(ApiKeys.METADATA, (short) 12, md)).topics().find(topic).topicId();
  }

  /** Produce requests Kafka refuses, each alone at the latest name-addressed version (12), and what it says. */
  private static void produceEdges() {
    long now = System.currentTimeMillis();
    Map<String, MemoryRecords> cases = new java.util.LinkedHashMap<>();
    cases.put("ok", MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "k".getBytes(), "v".getBytes())));
    MemoryRecords corrupt = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "k".getBytes(), "v".getBytes()));
    corrupt.buffer().put(corrupt.buffer().limit() - 1, (byte) 'x');
    cases.put("bad-crc", corrupt);
    cases.put("magic-1", MemoryRecords.withRecords((byte) 1, Compression.NONE, new SimpleRecord(now, "k".getBytes(), "v".getBytes())));
    cases.put("future-timestamp", MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, "k".getBytes(), "a".getBytes()),
        new SimpleRecord(now + 7_200_000L, "k".getBytes(), "b".getBytes())));
    cases.put("too-large", MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, new byte[2_000_000])));
    MemoryRecords nonZeroBase = MemoryRecords.withRecords(5L, Compression.NONE, new SimpleRecord(now, "v".getBytes()));
    cases.put("base-offset-5", nonZeroBase);
    cases.put("compacted-no-key", MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(now, null, "v".getBytes())));
    // Compressed batches whose header disagrees with what is inside (the CRC is right: a client's bug, not the wire's).
    cases.put("gzip-count-short", patched(gzip3(now), 2, -1, false));
    cases.put("gzip-count-long", patched(gzip3(now), 4, -1, false));
    cases.put("gzip-garbage", patched(gzip3(now), 3, -1, true));
    cases.put("gzip-header-understates", patched(MemoryRecords.withRecords(Compression.gzip().build(),
        new SimpleRecord(now, "k".getBytes(), "a".getBytes()), new SimpleRecord(now + 7_200_000L, "k".getBytes(), "b".getBytes())), 2, now, false));
    try (Raw c = new Raw(port)) {
      CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(30000);
      d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("edges").setNumPartitions(1).setReplicationFactor((short) 1));
      CreateTopicsRequestData.CreatableTopic compacted = new CreateTopicsRequestData.CreatableTopic().setName("edges-compacted")
          .setNumPartitions(1).setReplicationFactor((short) 1);
      compacted.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName("cleanup.policy").setValue("compact"));
      d.topics().add(compacted);
      c.send(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_TOPICS.latestVersion(false), d);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Map.Entry<String, MemoryRecords> e : cases.entrySet()) {
      for (short acks : new short[] {-1, 2}) {
        ProduceRequestData pd = new ProduceRequestData().setAcks(acks).setTimeoutMs(30000);
        ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData()
            .setName(e.getKey().equals("compacted-no-key") ? "edges-compacted" : "edges");
        t.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(e.getValue()));
        pd.topicData().add(t);
        if (acks == 2 && !e.getKey().equals("ok")) {
          continue;
        }
        print("produce-" + e.getKey() + (acks == 2 ? "-acks2" : ""), ApiKeys.PRODUCE, (short) 12, pd);
      }
    }
  }

  private static MemoryRecords gzip3(long now) {
    return MemoryRecords.withRecords(Compression.gzip().build(), new SimpleRecord(now, "k".getBytes(), "a".getBytes()),
        new SimpleRecord(now, "k".getBytes(), "b".getBytes()), new SimpleRecord(now, "k".getBytes(), "c".getBytes()));
  }

  /** A batch with its record count (and last offset delta) set to {@code count}, its maxTimestamp to {@code maxTimestamp} unless -1, its compressed bytes overwritten if {@code garbage}, and a right CRC. */
  private static MemoryRecords patched(MemoryRecords records, int count, long maxTimestamp, boolean garbage) {
    ByteBuffer b = records.buffer().duplicate();
    b.putInt(23, count - 1);
    b.putInt(57, count);
    if (maxTimestamp != -1) {
      b.putLong(35, maxTimestamp);
    }
    if (garbage) {
      for (int i = 61; i < b.limit(); i++) {
        b.put(i, (byte) (i * 31));
      }
    }
    b.putInt(17, (int) org.apache.kafka.common.utils.internals.Crc32C.compute(b, 21, b.limit() - 21));
    return MemoryRecords.readableRecords(b);
  }

  /** A KIP-848 consumer group's life: join, heartbeats (right, stale and unknown epochs), describe, leave, and what Kafka refuses. */
  private static void consumerGroups() {
    short v = ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion(false);
    try (Raw c = new Raw(port)) {
      String group = "cg";
      ConsumerGroupHeartbeatRequestData join = new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(Uuid.randomUuid().toString())
          .setMemberEpoch(0).setRebalanceTimeoutMs(10000).setSubscribedTopicNames(List.of("t1")).setTopicPartitions(List.of());
      ConsumerGroupHeartbeatResponseData joined = (ConsumerGroupHeartbeatResponseData) c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v, join);
      System.out.println("cg-join v" + v + "\t" + mask(joined));
      String member = join.memberId();
      int epoch = joined.memberEpoch();
      ConsumerGroupHeartbeatRequestData beat = new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(epoch);
      System.out.println("cg-heartbeat v" + v + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v, beat)));
      System.out.println("cg-heartbeat-stale-epoch v" + v + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
          new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(epoch + 7))));
      System.out.println("cg-heartbeat-unknown-member v" + v + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
          // A fixed id: both brokers name it in their message, so a random one would differ every run.
          new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId("NoSuchMemberNoSuchMem1").setMemberEpoch(3))));
      // Subscription regexes are RE2: what java.util.regex has and RE2 lacks is refused, as is a malformed pattern.
      for (String regex : new String[] {"(?=a)a+", "(a)\\1", "(", "t[0-9]+", "(.*a){10}b"}) {
        System.out.println("cg-join-regex " + regex + " v" + v + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
            new ConsumerGroupHeartbeatRequestData().setGroupId("cg-regex").setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0)
                .setRebalanceTimeoutMs(10000).setSubscribedTopicRegex(regex).setTopicPartitions(List.of()))));
      }
      System.out.println("cg-join-no-subscription v" + v + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
          new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0)
              .setRebalanceTimeoutMs(10000).setTopicPartitions(List.of()))));
      System.out.println("cg-join-empty-group-id v" + v + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
          new ConsumerGroupHeartbeatRequestData().setGroupId("").setMemberId(Uuid.randomUuid().toString()).setMemberEpoch(0)
              .setRebalanceTimeoutMs(10000).setSubscribedTopicNames(List.of("t1")).setTopicPartitions(List.of()))));
      ConsumerGroupDescribeRequestData describe = new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group, "no-such-cg", "grp-v2"));
      System.out.println("cg-describe v" + ApiKeys.CONSUMER_GROUP_DESCRIBE.latestVersion(false) + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_DESCRIBE,
          ApiKeys.CONSUMER_GROUP_DESCRIBE.latestVersion(false), describe)));
      JoinGroupRequestData classic = new JoinGroupRequestData().setGroupId(group).setSessionTimeoutMs(10000)
          .setRebalanceTimeoutMs(10000).setMemberId("").setProtocolType("connect");
      classic.protocols().add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("x").setMetadata(new byte[0]));
      System.out.println("cg-classic-join-other-type v9\t" + mask(c.send(ApiKeys.JOIN_GROUP, (short) 9, classic)));
      System.out.println("cg-leave v" + v + "\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v,
          new ConsumerGroupHeartbeatRequestData().setGroupId(group).setMemberId(member).setMemberEpoch(-1))));
      System.out.println("cg-describe-after-leave\t" + mask(c.send(ApiKeys.CONSUMER_GROUP_DESCRIBE,
          ApiKeys.CONSUMER_GROUP_DESCRIBE.latestVersion(false), new ConsumerGroupDescribeRequestData().setGroupIds(List.of(group)))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Admin calls beyond the issue's list that Kafka's tools send: producers, group and offset deletion, elections, cluster. */
  private static void moreAdmin() {
    DescribeProducersRequestData dp = new DescribeProducersRequestData();
    dp.topics().add(new DescribeProducersRequestData.TopicRequest().setName("t1").setPartitionIndexes(List.of(0, 9)));
    dp.topics().add(new DescribeProducersRequestData.TopicRequest().setName("nope").setPartitionIndexes(List.of(0)));
    sweep("describe-producers", ApiKeys.DESCRIBE_PRODUCERS, oldest(ApiKeys.DESCRIBE_PRODUCERS), ApiKeys.DESCRIBE_PRODUCERS.latestVersion(false), v -> dp);
    sweep("describe-cluster", ApiKeys.DESCRIBE_CLUSTER, oldest(ApiKeys.DESCRIBE_CLUSTER), ApiKeys.DESCRIBE_CLUSTER.latestVersion(false),
        v -> new DescribeClusterRequestData().setIncludeClusterAuthorizedOperations(v == 0 ? false : true));
    sweep("offset-delete", ApiKeys.OFFSET_DELETE, oldest(ApiKeys.OFFSET_DELETE), ApiKeys.OFFSET_DELETE.latestVersion(false), v -> {
      OffsetDeleteRequestData d = new OffsetDeleteRequestData().setGroupId("grp-v2");
      OffsetDeleteRequestData.OffsetDeleteRequestTopic t = new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName("t1");
      t.partitions().add(new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0));
      OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection c = new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
      c.add(t);
      return d.setTopics(c);
    });
    sweep("offset-delete-unknown-group", ApiKeys.OFFSET_DELETE, oldest(ApiKeys.OFFSET_DELETE), ApiKeys.OFFSET_DELETE.latestVersion(false),
        v -> new OffsetDeleteRequestData().setGroupId("no-such-group"));
    sweep("delete-groups", ApiKeys.DELETE_GROUPS, oldest(ApiKeys.DELETE_GROUPS), ApiKeys.DELETE_GROUPS.latestVersion(false),
        v -> new DeleteGroupsRequestData().setGroupsNames(List.of("grp-v" + (v + 2), "no-such-group", "cg")));
    sweep("elect-leaders", ApiKeys.ELECT_LEADERS, oldest(ApiKeys.ELECT_LEADERS), ApiKeys.ELECT_LEADERS.latestVersion(false), v -> {
      ElectLeadersRequestData d = new ElectLeadersRequestData().setTimeoutMs(30000);
      if (v >= 1) {
        d.setElectionType((byte) 0);
      }
      ElectLeadersRequestData.TopicPartitions tp = new ElectLeadersRequestData.TopicPartitions().setTopic("t1").setPartitions(List.of(0, 9));
      ElectLeadersRequestData.TopicPartitionsCollection c = new ElectLeadersRequestData.TopicPartitionsCollection();
      c.add(tp);
      return d.setTopicPartitions(c);
    });
  }

  /** KIP-848 group configs (resource type GROUP, 32): described before and after alters, refused values, listed resources. */
  private static void groupConfigs() {
    java.util.function.Function<String, DescribeConfigsRequestData> describe = name -> {
      DescribeConfigsRequestData d = new DescribeConfigsRequestData().setIncludeSynonyms(true).setIncludeDocumentation(true);
      d.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 32).setResourceName(name)
          .setConfigurationKeys(null));
      return d;
    };
    latest("describe-group-config unknown group", ApiKeys.DESCRIBE_CONFIGS, describe.apply("no-such-group"));
    latest("describe-group-config cg", ApiKeys.DESCRIBE_CONFIGS, describe.apply("cg"));
    latest("describe-group-config empty name", ApiKeys.DESCRIBE_CONFIGS, describe.apply(""));
    String[][] alters = {
        {"gc1", "consumer.session.timeout.ms", "50000"},
        {"gc1", "consumer.heartbeat.interval.ms", "6000"},
        {"gc2", "consumer.session.timeout.ms", "1000"},
        {"gc2", "consumer.session.timeout.ms", "999999"},
        {"gc2", "consumer.session.timeout.ms", "soon"},
        {"gc2", "consumer.heartbeat.interval.ms", "60000"},
        {"gc2", "consumer.heartbeat.interval.ms", "1000"},
        {"gc2", "no.such.config", "1"},
        {"gc2", "session.timeout.ms", "50000"},
        {"gc2", "share.record.lock.duration.ms", "20000"},
        {"gc2", "streams.num.standby.replicas", "1"},
        {"gc2", "share.auto.offset.reset", "earliest"},
        {"", "consumer.session.timeout.ms", "50000"},
    };
    for (String[] a : alters) {
      IncrementalAlterConfigsRequestData d = new IncrementalAlterConfigsRequestData();
      IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
          .setResourceType((byte) 32).setResourceName(a[0]);
      r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(a[1]).setConfigOperation((byte) 0).setValue(a[2]));
      d.resources().add(r);
      latest("inc-alter-group " + a[0] + " " + a[1] + "=" + a[2], ApiKeys.INCREMENTAL_ALTER_CONFIGS, d);
    }
    IncrementalAlterConfigsRequestData both = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 32).setResourceName("gc3");
    r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("consumer.session.timeout.ms").setConfigOperation((byte) 0).setValue("46000"));
    r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("consumer.heartbeat.interval.ms").setConfigOperation((byte) 0).setValue("15000"));
    both.resources().add(r);
    latest("inc-alter-group both", ApiKeys.INCREMENTAL_ALTER_CONFIGS, both);
    latest("describe-group-config gc1 after", ApiKeys.DESCRIBE_CONFIGS, describe.apply("gc1"));
    latest("describe-group-config gc3 after", ApiKeys.DESCRIBE_CONFIGS, describe.apply("gc3"));
    IncrementalAlterConfigsRequestData del = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource dr = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 32).setResourceName("gc1");
    dr.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("consumer.session.timeout.ms").setConfigOperation((byte) 1).setValue(null));
    del.resources().add(dr);
    latest("inc-alter-group delete", ApiKeys.INCREMENTAL_ALTER_CONFIGS, del);
    latest("describe-group-config gc1 after delete", ApiKeys.DESCRIBE_CONFIGS, describe.apply("gc1"));
    AlterConfigsRequestData legacy = new AlterConfigsRequestData();
    AlterConfigsRequestData.AlterConfigsResource lr = new AlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 32).setResourceName("gc4");
    lr.configs().add(new AlterConfigsRequestData.AlterableConfig().setName("consumer.session.timeout.ms").setValue("50000"));
    legacy.resources().add(lr);
    latest("alter-configs-group legacy", ApiKeys.ALTER_CONFIGS, legacy);
    // APPEND on a group config (none is a LIST), then a group with configs that is deleted.
    for (String key : new String[] {"consumer.session.timeout.ms", "no.such.config"}) {
      IncrementalAlterConfigsRequestData d = new IncrementalAlterConfigsRequestData();
      IncrementalAlterConfigsRequestData.AlterConfigsResource ar = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
          .setResourceType((byte) 32).setResourceName("gc2");
      ar.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(key).setConfigOperation((byte) 2).setValue("50000"));
      d.resources().add(ar);
      latest("inc-alter-group append " + key, ApiKeys.INCREMENTAL_ALTER_CONFIGS, d);
    }
    OffsetCommitRequestData oc = new OffsetCommitRequestData().setGroupId("gcdel").setGenerationIdOrMemberEpoch(-1).setMemberId("");
    OffsetCommitRequestData.OffsetCommitRequestTopic ot = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("assigned");
    ot.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1));
    oc.topics().add(ot);
    latest("offset-commit gcdel", ApiKeys.OFFSET_COMMIT, (short) 9, oc);
    IncrementalAlterConfigsRequestData gcdel = new IncrementalAlterConfigsRequestData();
    IncrementalAlterConfigsRequestData.AlterConfigsResource gr = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
        .setResourceType((byte) 32).setResourceName("gcdel");
    gr.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("consumer.session.timeout.ms").setConfigOperation((byte) 0).setValue("50000"));
    gcdel.resources().add(gr);
    latest("inc-alter-group gcdel", ApiKeys.INCREMENTAL_ALTER_CONFIGS, gcdel);
    latest("delete-groups gcdel", ApiKeys.DELETE_GROUPS, new DeleteGroupsRequestData().setGroupsNames(List.of("gcdel")));
    latest("describe-group-config gcdel after delete", ApiKeys.DESCRIBE_CONFIGS, describe.apply("gcdel"));
    for (short v = 0; v <= ApiKeys.LIST_CONFIG_RESOURCES.latestVersion(false); v++) {
      org.apache.kafka.common.message.ListConfigResourcesRequestData lc = new org.apache.kafka.common.message.ListConfigResourcesRequestData();
      if (v >= 1) {
        lc.setResourceTypes(List.of());
      }
      latest("list-config-resources all", ApiKeys.LIST_CONFIG_RESOURCES, v, lc);
      if (v >= 1) {
        for (byte type : new byte[] {2, 4, 8, 16, 32, 1}) {
          latest("list-config-resources type " + type, ApiKeys.LIST_CONFIG_RESOURCES, v,
              new org.apache.kafka.common.message.ListConfigResourcesRequestData().setResourceTypes(List.of(type)));
        }
      }
    }
  }

  /** Metadata with auto-creation (auto.create.topics.enable is on in both), and fetches by an unknown topic id. */
  private static void autoCreation() {
    for (short v : new short[] {4, 9, 12}) {
      MetadataRequestData md = new MetadataRequestData().setAllowAutoTopicCreation(true);
      md.setTopics(new ArrayList<>(List.of(new MetadataRequestData.MetadataRequestTopic().setName("auto-" + v),
          new MetadataRequestData.MetadataRequestTopic().setName("bad auto " + v))));
      print("metadata-auto-create", ApiKeys.METADATA, v, md);
    }
    FetchRequestData fd = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
        .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
    FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setTopicId(Uuid.randomUuid());
    ft.partitions().add(new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20)
        .setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
    fd.topics().add(ft);
    print("fetch-unknown-topic-id", ApiKeys.FETCH, ApiKeys.FETCH.latestVersion(false), fd);
    for (byte isolation : new byte[] {0, 1}) {
      FetchRequestData byName = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
          .setIsolationLevel(isolation).setSessionId(0).setSessionEpoch(-1);
      for (String topic : new String[] {"t1", "no-such-topic"}) {
        FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopic(topic);
        t.partitions().add(new FetchRequestData.FetchPartition().setPartition(topic.equals("t1") ? 7 : 0).setFetchOffset(0)
            .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(-1).setLastFetchedEpoch(-1).setLogStartOffset(-1));
        byName.topics().add(t);
      }
      print("fetch-unknown-partition-and-topic isolation " + isolation, ApiKeys.FETCH, (short) 12, byName);
      FetchRequestData fenced = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
          .setIsolationLevel(isolation).setSessionId(0).setSessionEpoch(-1);
      FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopic("t1");
      for (int epoch : new int[] {5, 0}) { // a leader epoch from the future, and the current one
        t.partitions().add(new FetchRequestData.FetchPartition().setPartition(epoch == 5 ? 0 : 1).setFetchOffset(0)
            .setPartitionMaxBytes(1 << 20).setCurrentLeaderEpoch(epoch).setLastFetchedEpoch(-1).setLogStartOffset(-1));
      }
      fenced.topics().add(t);
      print("fetch-leader-epochs isolation " + isolation, ApiKeys.FETCH, (short) 12, fenced);
    }
  }

  private static void setUp() throws Exception {
    try (Raw c = new Raw(port)) {
      CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(30000);
      d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName("t1").setNumPartitions(2).setReplicationFactor((short) 1));
      c.send(ApiKeys.CREATE_TOPICS, ApiKeys.CREATE_TOPICS.latestVersion(), d);
      // Groups need __consumer_offsets, which the first FindCoordinator creates: ask until it is there.
      for (int i = 0; i < 100; i++) {
        FindCoordinatorRequestData f = new FindCoordinatorRequestData();
        f.coordinatorKeys().add("g");
        FindCoordinatorResponseData r = (FindCoordinatorResponseData) c.send(ApiKeys.FIND_COORDINATOR, ApiKeys.FIND_COORDINATOR.latestVersion(), f);
        if (r.coordinators().get(0).errorCode() == 0) {
          break;
        }
        Thread.sleep(100);
      }
      // Kafka answers InitProducerId COORDINATOR_LOAD_IN_PROGRESS until its transaction coordinator is loaded.
      for (int i = 0; i < 100; i++) {
        InitProducerIdResponseData r = (InitProducerIdResponseData) c.send(ApiKeys.INIT_PRODUCER_ID,
            ApiKeys.INIT_PRODUCER_ID.latestVersion(false), new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60000));
        if (r.errorCode() == 0) {
          break;
        }
        Thread.sleep(100);
      }
    }
  }

  /** Response data -> the version it was read at (for its JSON converter). */
  private static final Map<ApiMessage, Short> VERSIONS = new java.util.IdentityHashMap<>();
  /** Fields whose values differ between any two brokers or runs: ids, clocks, ports, paths, sizes, epochs. */
  private static final java.util.Set<String> VOLATILE = java.util.Set.of("topicId", "clusterId", "port", "producerId",
      "throttleTimeMs", "sessionId", "memberId", "leader", "logDir", "totalBytes", "usableBytes", "partitionSize",
      "groupEpoch", "assignmentEpoch", "memberEpoch", "records");

  /**
   * An answer as canonical JSON: fields sorted by name, array elements sorted by their own canonical form (so that
   * order does not count but which element holds which value does), volatile fields masked.
   */
  static String mask(ApiMessage data) {
    try {
      Class<?> converter = Class.forName(data.getClass().getName() + "JsonConverter");
      JsonNode json = (JsonNode) converter.getMethod("write", data.getClass(), short.class).invoke(null, data, VERSIONS.get(data));
      return canonical(json);
    } catch (ReflectiveOperationException e) {
      return "UNCONVERTIBLE " + data.getClass().getSimpleName();
    }
  }

  private static String canonical(JsonNode node) {
    if (node.isObject()) {
      List<String> fields = new ArrayList<>();
      node.fieldNames().forEachRemaining(fields::add);
      java.util.Collections.sort(fields);
      StringBuilder b = new StringBuilder("{");
      for (String f : fields) {
        JsonNode v = node.get(f);
        String value = VOLATILE.contains(f) && !v.isNull() ? "*"
            : (f.equals("timestamp") || f.equals("logAppendTimeMs")) && v.asLong() > 1_000_000_000_000L ? "T" : canonical(v);
        b.append(b.length() > 1 ? "," : "").append(f).append(':').append(value);
      }
      return b.append('}').toString();
    }
    if (node.isArray()) {
      List<String> elements = new ArrayList<>();
      node.forEach(e -> elements.add(canonical(e)));
      java.util.Collections.sort(elements);
      return "[" + String.join(",", elements) + "]";
    }
    return node.toString();
  }

  private static void print(String label, ApiKeys k, short v, ApiMessage body) {
    String out;
    try (Raw c = new Raw(port)) {
      out = mask(c.send(k, v, body));
    } catch (Exception e) {
      out = "EXCEPTION " + e.getClass().getSimpleName();
    }
    System.out.println(label + " v" + v + "\t" + out);
    if (fuzzPerRequest > 0 && k != ApiKeys.CREATE_TOPICS && k != ApiKeys.CREATE_PARTITIONS) {
      fuzz(label, k, v, body);
    }
  }

  // Fuzz mode (`WireSweep fuzz PORT SEED N DIR`, bench/wire-fuzz.sh): after each request of the sweep, N copies, each
  // on its own connection and with its own correlation id: half with their body's bytes damaged, half well-formed but
  // with field values pushed to extremes (through kafka-clients' JSON converters: numbers to 0, -1, 1 or their type's
  // limits, strings to "", null or 40,000 characters, lists emptied, doubled or nulled). Every frame sent is kept in DIR
  // as <correlation id>.bin so that a broker error logged for it can be replayed. CreateTopics and CreatePartitions are
  // left out: extreme counts legitimately create up to 10,000 partitions a request, and the file descriptors they hold
  // soon exhaust the process's limit, after which every error is about that.
  private static java.util.Random fuzzRandom;
  private static int fuzzPerRequest;
  private static Path fuzzDir;
  private static int fuzzCorrelationId = 1_000_000;

  private static void fuzz(String label, ApiKeys k, short v, ApiMessage body) {
    for (int i = 0; i < fuzzPerRequest; i++) {
      int correlationId = fuzzCorrelationId++;
      RequestHeader header = new RequestHeader(k, v, "wire-fuzz", correlationId);
      ByteBuffer request = RequestUtils.serialize(header.data(), header.headerVersion(), body, v);
      byte[] bytes = new byte[request.remaining()];
      request.get(bytes);
      int bodyStart = bytes.length - body.size(new org.apache.kafka.common.protocol.ObjectSerializationCache(), v);
      byte[] damaged = i % 2 == 0 ? damage(bytes, bodyStart) : extremeValues(header, k, v, body, bytes);
      try {
        Files.write(fuzzDir.resolve(correlationId + ".bin"), damaged);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(2_000);
        OutputStream out = socket.getOutputStream();
        out.write(ByteBuffer.allocate(4 + damaged.length).putInt(damaged.length).put(damaged).array());
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] response = new byte[in.readInt()];
        in.readFully(response);
      } catch (IOException e) {
        // closed or no answer: what a damaged request may well get
      }
    }
    System.err.println("fuzzed " + label + " v" + v + " up to correlation id " + (fuzzCorrelationId - 1));
  }

  /** The request re-serialized with 1-3 of its fields set to extreme values; the original bytes if none could be. */
  private static byte[] extremeValues(RequestHeader header, ApiKeys k, short v, ApiMessage body, byte[] original) {
    try {
      Class<?> converter = Class.forName(body.getClass().getName() + "JsonConverter");
      JsonNode json = (JsonNode) converter.getMethod("write", body.getClass(), short.class).invoke(null, body, v);
      List<com.fasterxml.jackson.databind.node.ObjectNode> objects = new ArrayList<>();
      collectObjects(json, objects);
      int changes = 1 + fuzzRandom.nextInt(3);
      for (int c = 0; c < changes && !objects.isEmpty(); c++) {
        com.fasterxml.jackson.databind.node.ObjectNode o = objects.get(fuzzRandom.nextInt(objects.size()));
        List<String> fields = new ArrayList<>();
        o.fieldNames().forEachRemaining(fields::add);
        if (fields.isEmpty()) {
          continue;
        }
        String f = fields.get(fuzzRandom.nextInt(fields.size()));
        JsonNode old = o.get(f);
        if (old.isIntegralNumber()) {
          long[] extremes = {0, -1, 1, Byte.MAX_VALUE, Byte.MIN_VALUE, Short.MAX_VALUE, Short.MIN_VALUE,
              Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
          o.put(f, extremes[fuzzRandom.nextInt(extremes.length)]);
        } else if (old.isTextual()) {
          switch (fuzzRandom.nextInt(3)) {
            case 0 -> o.put(f, "");
            case 1 -> o.putNull(f);
            default -> o.put(f, "x".repeat(40_000));
          }
        } else if (old.isArray()) {
          com.fasterxml.jackson.databind.node.ArrayNode a = (com.fasterxml.jackson.databind.node.ArrayNode) old;
          switch (fuzzRandom.nextInt(3)) {
            case 0 -> a.removeAll();
            case 1 -> a.addAll(a.deepCopy());
            default -> o.putNull(f);
          }
        } else if (old.isBoolean()) {
          o.put(f, !old.asBoolean());
        }
      }
      ApiMessage changed = (ApiMessage) converter.getMethod("read", JsonNode.class, short.class).invoke(null, json, v);
      ByteBuffer request = RequestUtils.serialize(header.data(), header.headerVersion(), changed, v);
      byte[] bytes = new byte[request.remaining()];
      request.get(bytes);
      return bytes;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return original; // a value this version cannot carry (a null where none is allowed, a number out of range)
    }
  }

  private static void collectObjects(JsonNode node, List<com.fasterxml.jackson.databind.node.ObjectNode> out) {
    if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      out.add(o);
    }
    node.forEach(child -> collectObjects(child, out));
  }

  /** A copy with 1-3 damages past {@code from}: a flipped byte, an extreme int32, a cut, or a repeated run. */
  private static byte[] damage(byte[] bytes, int from) {
    byte[] out = bytes.clone();
    if (out.length <= from) {
      return out;
    }
    int damages = 1 + fuzzRandom.nextInt(3);
    for (int d = 0; d < damages && out.length > from; d++) {
      int at = from + fuzzRandom.nextInt(out.length - from);
      switch (fuzzRandom.nextInt(4)) {
        case 0 -> out[at] = (byte) fuzzRandom.nextInt(256);
        case 1 -> {
          int[] extremes = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7fff, 0xffff, 1 << 24};
          int value = extremes[fuzzRandom.nextInt(extremes.length)];
          for (int b = 0; b < 4 && at + b < out.length; b++) {
            out[at + b] = (byte) (value >>> (24 - 8 * b));
          }
        }
        case 2 -> out = java.util.Arrays.copyOf(out, at);
        default -> {
          int len = Math.min(1 + fuzzRandom.nextInt(8), out.length - at);
          byte[] longer = new byte[out.length + len];
          System.arraycopy(out, 0, longer, 0, at + len);
          System.arraycopy(out, at, longer, at + len, out.length - at);
          out = longer;
        }
      }
    }
    return out;
  }

  private static void latest(String label, ApiKeys k, ApiMessage body) {
    print(label, k, k.latestVersion(), body);
  }

  private static void latest(String label, ApiKeys k, short v, ApiMessage body) {
    print(label, k, v, body);
  }

  private static void sweep(String label, ApiKeys k, short from, short to, Function<Short, ApiMessage> body) {
    for (short v = from; v <= to; v++) {
      print(label, k, v, body.apply(v));
    }
  }

  private static short oldest(ApiKeys k) {
    return k.oldestVersion();
  }

  private static CreateTopicsRequestData.CreatableTopic topic(String name, int parts, short rf, String... cfg) {
    CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(parts).setReplicationFactor(rf);
    for (int i = 0; i < cfg.length; i += 2) t.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName(cfg[i]).setValue(cfg[i + 1]));
    return t;
  }
  private static CreateTopicsRequestData create(boolean validateOnly, CreateTopicsRequestData.CreatableTopic... ts) {
    CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(30000).setValidateOnly(validateOnly);
    for (CreateTopicsRequestData.CreatableTopic t : ts) d.topics().add(t);
    return d;
  }

  /** Prints each pair of lines (same label) whose canonical answers differ, with the words only one side has. */
  private static void compare(Path a, Path b) throws IOException {
    Map<String, String> right = new HashMap<>();
    for (String line : Files.readAllLines(b)) {
      right.put(numbered(right, line), line);
    }
    Map<String, String> left = new HashMap<>();
    int differing = 0;
    for (String line : Files.readAllLines(a)) {
      String label = numbered(left, line);
      left.put(label, line);
      String other = right.remove(label);
      if (other == null) {
        System.out.println(label + "\tonly in " + a);
        differing++;
        continue;
      }
      if (line.equals(other)) {
        continue;
      }
      Map<String, Integer> counts = new HashMap<>();
      for (String t : line.split("[\\[\\]{}(), ]+")) counts.merge(t, 1, Integer::sum);
      for (String t : other.split("[\\[\\]{}(), ]+")) counts.merge(t, -1, Integer::sum);
      List<String> onlyA = new ArrayList<>();
      List<String> onlyB = new ArrayList<>();
      counts.forEach((t, n) -> { if (n > 0) onlyA.add(t); else if (n < 0) onlyB.add(t); });
      System.out.println(label + "\t" + (onlyA.isEmpty() && onlyB.isEmpty()
          ? "same fields and values, held by other elements (an error on another partition?)"
          : a.getFileName() + " only: " + onlyA + "\t" + b.getFileName() + " only: " + onlyB));
      differing++;
    }
    for (String label : right.keySet()) {
      System.out.println(label + "\tonly in " + b);
      differing++;
    }
    System.out.println(differing + " answer(s) differ");
  }

  /** The line's label, with "#2", "#3"... after it when {@code seen} already has it (a label may repeat). */
  private static String numbered(Map<String, String> seen, String line) {
    String label = line.split("\t", 2)[0];
    String key = label;
    for (int n = 2; seen.containsKey(key); n++) {
      key = label + " #" + n;
    }
    return key;
  }

  /** One connection; requests at an exact version, answers parsed. */
  private static final class Raw implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId = 1;

    Raw(int port) {
      try {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    ApiMessage send(ApiKeys key, short version, ApiMessage body) throws IOException {
      RequestHeader header = new RequestHeader(key, version, "wire-sweep", correlationId++);
      ByteBuffer request = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
      byte[] frame = new byte[4 + request.remaining()];
      ByteBuffer.wrap(frame).putInt(request.remaining()).put(request);
      out.write(frame);
      out.flush();
      int length = in.readInt();
      byte[] response = new byte[length];
      in.readFully(response);
      ApiMessage data = AbstractResponse.parseResponse(ByteBuffer.wrap(response), header).data();
      VERSIONS.put(data, version);
      return data;
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }
}

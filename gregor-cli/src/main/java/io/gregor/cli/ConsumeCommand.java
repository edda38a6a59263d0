package io.gregor.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gregor consume}: reads a topic with assign() and seek, without a consumer group (no
 * group.id, nothing committed), and prints one line per record. Stops at --max-messages, after
 * --timeout-ms without a record, when stdout is closed, or on Ctrl-C (a shutdown hook wakes the
 * consumer and waits for the loop to close it). The consumer is used only on the calling thread,
 * except for {@link KafkaConsumer#wakeup()}.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Print records of a topic, one per line (the value; more fields with --print-*).",
                "Starts at the end unless told otherwise; uses no consumer group and commits nothing."})
final class ConsumeCommand implements Callable<Integer> {

    private static final long MAX_POLL_MS = 500;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    From from;

    static final class From {
        @Option(names = "--from-beginning", description = "Start at the first record still in the log.")
        boolean beginning;

        @Option(names = "--offset", paramLabel = "N", description = "Start at this offset in each partition (use with --partition).")
        Long offset;

        @Option(names = "--from-timestamp", paramLabel = "TIME",
                description = "Start at the first record at or after TIME: epoch ms or ISO-8601 (2024-05-01T12:00:00Z).")
        String timestamp;
    }

    @Option(names = "--partition", paramLabel = "P", description = "Read only this partition (default: all).")
    Integer partition;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after printing N records.")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "T", description = "Exit after T ms without a new record.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print the key (null if none).")
    boolean printKey;

    @Option(names = "--print-partition", description = "Print the partition.")
    boolean printPartition;

    @Option(names = "--print-offset", description = "Print the offset.")
    boolean printOffset;

    @Option(names = "--print-timestamp", description = "Print the timestamp (epoch ms).")
    boolean printTimestamp;

    @Option(names = "--print-headers", description = "Print the headers as k=v,k=v.")
    boolean printHeaders;

    @Option(names = "--separator", paramLabel = "SEP", defaultValue = "\\t",
            description = "Between printed fields, in the order timestamp, partition, offset, headers, key, value (default: ${DEFAULT-VALUE}).")
    String separator;

    @Override
    public Integer call() {
        StartPosition start = parseArguments();
        RecordFormatter formatter = new RecordFormatter(printTimestamp, printPartition, printOffset, printHeaders, printKey,
                LineSplitter.unescape(separator));
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch loopDone = new CountDownLatch(1);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            Thread hook = new Thread(() -> {
                consumer.wakeup();
                awaitQuietly(loopDone);
            }, "gregor-consume-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                List<TopicPartition> partitions = partitionsToRead(consumer);
                consumer.assign(partitions);
                seek(consumer, partitions, start);
                printRecords(consumer, formatter, out);
            } catch (WakeupException e) {
                // Ctrl-C: stop quietly with what was printed so far.
            } finally {
                out.flush();
                StartCommand.removeShutdownHook(hook);
            }
        } finally {
            loopDone.countDown();
        }
        return GregorCommand.EXIT_OK;
    }

    private void printRecords(KafkaConsumer<byte[], byte[]> consumer, RecordFormatter formatter, PrintWriter out) {
        long printed = 0;
        long lastRecordMs = System.currentTimeMillis();
        while (maxMessages == null || printed < maxMessages) {
            long pollMs = MAX_POLL_MS;
            if (timeoutMs != null) {
                long idleMs = System.currentTimeMillis() - lastRecordMs;
                if (idleMs >= timeoutMs) {
                    return;
                }
                pollMs = Math.min(pollMs, timeoutMs - idleMs);
            }
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(pollMs));
            if (records.isEmpty()) {
                continue;
            }
            lastRecordMs = System.currentTimeMillis();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                out.print(formatter.format(record));
                out.print('\n');
                printed++;
                if (maxMessages != null && printed >= maxMessages) {
                    break;
                }
            }
            out.flush();
            if (out.checkError()) {
                return; // stdout closed (e.g. piped into head): nobody is reading any more
            }
        }
    }

    private StartPosition parseArguments() {
        if (partition != null && partition < 0) {
            throw new ParameterException(spec.commandLine(), "--partition: " + partition + " (expected: >= 0)");
        }
        if (maxMessages != null && maxMessages < 1) {
            throw new ParameterException(spec.commandLine(), "--max-messages: " + maxMessages + " (expected: >= 1)");
        }
        if (timeoutMs != null && timeoutMs < 0) {
            throw new ParameterException(spec.commandLine(), "--timeout-ms: " + timeoutMs + " (expected: >= 0)");
        }
        if (from == null) {
            return new StartPosition.End();
        }
        if (from.beginning) {
            return new StartPosition.Beginning();
        }
        if (from.offset != null) {
            if (from.offset < 0) {
                throw new ParameterException(spec.commandLine(), "--offset: " + from.offset + " (expected: >= 0)");
            }
            return new StartPosition.Offset(from.offset);
        }
        try {
            return new StartPosition.Timestamp(StartPosition.parseTimestampMs(from.timestamp));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.putAll(client.clientProperties());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        // No group: assign() + seek, nothing committed, nothing created on the broker.
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // We always seek explicitly; this only matters if retention deletes what we are about to read.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    private List<TopicPartition> partitionsToRead(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic);
        } catch (TimeoutException e) {
            throw client.unreachable(e);
        } catch (UnknownTopicOrPartitionException e) {
            throw TopicsDescribeCommand.noSuchTopic(topic);
        }
        if (infos == null || infos.isEmpty()) {
            throw TopicsDescribeCommand.noSuchTopic(topic);
        }
        if (partition != null) {
            if (partition >= infos.size()) {
                throw new UserException("--partition: " + partition + " (expected: 0.." + (infos.size() - 1)
                        + "; topic '" + topic + "' has " + infos.size() + " partitions)");
            }
            return List.of(new TopicPartition(topic, partition));
        }
        List<TopicPartition> all = new ArrayList<>();
        for (PartitionInfo info : infos) {
            all.add(new TopicPartition(topic, info.partition()));
        }
        all.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return all;
    }

    private void seek(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, StartPosition start) {
        try {
            // Java 17: no pattern matching for switch yet, so an instanceof chain over the sealed type.
            if (start instanceof StartPosition.Beginning) {
                consumer.seekToBeginning(partitions);
            } else if (start instanceof StartPosition.Offset at) {
                Map<TopicPartition, Long> first = consumer.beginningOffsets(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                for (TopicPartition tp : partitions) {
                    consumer.seek(tp, Math.max(first.get(tp), Math.min(end.get(tp), at.offset())));
                }
            } else if (start instanceof StartPosition.Timestamp ts) {
                Map<TopicPartition, Long> query = new HashMap<>();
                partitions.forEach(tp -> query.put(tp, ts.timestampMs()));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
                for (TopicPartition tp : partitions) {
                    OffsetAndTimestamp hit = found.get(tp);
                    if (hit == null) {
                        consumer.seekToEnd(List.of(tp));
                    } else {
                        consumer.seek(tp, hit.offset());
                    }
                }
            } else {
                consumer.seekToEnd(partitions);
            }
        } catch (TimeoutException e) {
            throw client.unreachable(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

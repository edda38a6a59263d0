package io.gregor.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code gregor produce}: one record per stdin line (UTF-8), sent with a {@link KafkaProducer};
 * flushes and closes at EOF, or on Ctrl-C (a shutdown hook closes the producer, which sends what
 * was read, within {@value #CLOSE_TIMEOUT_MS} ms). Send results arrive on the producer's I/O thread, which only counts
 * failures and, with {@code --verbose}, prints {@code partition offset} under the output's lock.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send stdin to a topic, one record per line: 'key<SEP>value' when the line contains the key separator, "
                + "else just the value.", "Prints nothing on success unless --verbose."})
final class ProduceCommand implements Callable<Integer> {

    static final Set<String> ACKS = Set.of("all", "-1", "1", "0");
    static final Set<String> COMPRESSION = Set.of("none", "gzip", "snappy", "lz4", "zstd");
    /** Our default, shorter than the clients' 120 s: a record the broker will not take fails in 30 s. */
    static final long DELIVERY_TIMEOUT_MS = 30_000;
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    @ParentCommand
    GregorCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "TOPIC")
    String topic;

    @Option(names = "--key-separator", paramLabel = "SEP", defaultValue = "\\t",
            description = "Separates key from value in a line; escapes \\t \\n \\\\ understood (default: ${DEFAULT-VALUE}).")
    String keySeparator;

    @Option(names = "--no-key", description = "Every whole line is a value; records have no key.")
    boolean noKey;

    @Option(names = "--header", paramLabel = "KEY=VALUE", converter = KeyValue.Converter.class,
            description = "Header added to every record; repeatable.")
    List<KeyValue> headers = new ArrayList<>();

    @Option(names = "--partition", paramLabel = "P", description = "Send every record to this partition (default: by key, or sticky).")
    Integer partition;

    @Option(names = "--acks", paramLabel = "ACKS", defaultValue = "all", description = "all, 1 or 0 (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "none",
            description = "none, gzip, snappy, lz4 or zstd (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = {"-v", "--verbose"}, description = "Print 'partition offset' for each record once acknowledged.")
    boolean verbose;

    /** Set by the shutdown hook; read by the main thread's send loop. */
    private volatile boolean stopping;
    /** Main thread only. */
    private long largestLineBytes;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    @Override
    public Integer call() throws IOException {
        LineSplitter splitter = parseArguments();
        List<Header> recordHeaders = new ArrayList<>();
        for (KeyValue kv : headers) {
            recordHeaders.add(new RecordHeader(kv.key(), kv.value().getBytes(StandardCharsets.UTF_8)));
        }
        PrintWriter out = spec.commandLine().getOut();
        long sent;
        double batchSplits;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            // Ctrl-C: send what was read so far, as kafka-console-producer does; bounded, so a
            // missing broker cannot hold the exit for the whole delivery.timeout.ms.
            Thread hook = new Thread(() -> {
                stopping = true;
                producer.close(Duration.ofMillis(CLOSE_TIMEOUT_MS));
            }, "gregor-produce-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                sent = sendLines(producer, splitter, recordHeaders, out);
                producer.flush();
                batchSplits = batchSplits(producer);
            } catch (IllegalStateException e) {
                if (stopping) {
                    return GregorCommand.EXIT_OK; // the hook closed the producer under us; the JVM is exiting
                }
                throw e;
            } finally {
                StartCommand.removeShutdownHook(hook);
            }
        }
        out.flush();
        Exception first = firstFailure.get();
        if (first != null) {
            throw new UserException(failed.get() + " of " + sent + " records failed: " + failureReason(first, batchSplits));
        }
        return GregorCommand.EXIT_OK;
    }

    /** Sends each line of stdin until EOF, or until the shutdown hook closes the producer; returns how many. */
    private long sendLines(KafkaProducer<byte[], byte[]> producer, LineSplitter splitter, List<Header> recordHeaders, PrintWriter out)
            throws IOException {
        long sent = 0;
        throwIfPartitionMissing(producer);
        BufferedReader in = new BufferedReader(new InputStreamReader(root.stdin(), StandardCharsets.UTF_8));
        String line;
        while (!stopping && (line = in.readLine()) != null) {
            LineSplitter.KeyedLine parsed = splitter.split(line);
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partition, null,
                    parsed.key() == null ? null : parsed.key().getBytes(StandardCharsets.UTF_8),
                    parsed.value().getBytes(StandardCharsets.UTF_8), recordHeaders);
            largestLineBytes = Math.max(largestLineBytes, (record.key() == null ? 0 : record.key().length) + record.value().length);
            try {
                producer.send(record, (metadata, exception) -> {
                    if (exception != null) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, exception);
                    } else if (verbose) {
                        synchronized (out) {
                            out.println(metadata.partition() + " " + metadata.offset());
                        }
                    }
                });
            } catch (TimeoutException e) {
                throw metadataTimeout(e);
            }
            sent++;
        }
        return sent;
    }

    /**
     * Why sends failed, in one line. A record over the topic's max.message.bytes alone in its
     * batch fails with the broker's MESSAGE_TOO_LARGE; sharing a batch, the producer splits the
     * batch and retries (here again and again: ~50,000 times in 30 s was seen) until
     * delivery.timeout.ms expires them all with only "Expiring N record(s)". The producer's
     * batch-split-total tells that story apart.
     */
    private String failureReason(Exception first, double batchSplits) {
        String why = FailureReporter.userMessage(first);
        if (why == null) {
            why = first.getClass().getSimpleName() + ": " + FailureReporter.oneLine(first.getMessage());
        }
        String hint = "the largest line is " + largestLineBytes + " bytes; is it over the topic's max.message.bytes?";
        if (first instanceof TimeoutException && batchSplits > 0) {
            return "the broker rejected a batch as too large (MESSAGE_TOO_LARGE) and splitting it did not help: " + hint + " (" + why + ")";
        }
        if (first instanceof RecordTooLargeException && !why.contains("max.message.bytes") && !why.contains("max.request.size")) {
            return why + " (" + hint + ")";
        }
        return why;
    }

    private static double batchSplits(KafkaProducer<byte[], byte[]> producer) {
        for (Map.Entry<MetricName, ? extends Metric> metric : producer.metrics().entrySet()) {
            if (metric.getKey().name().equals("batch-split-total") && metric.getValue().metricValue() instanceof Number n) {
                return n.doubleValue();
            }
        }
        return 0;
    }

    private LineSplitter parseArguments() {
        if (!ACKS.contains(acks)) {
            throw new ParameterException(spec.commandLine(), "--acks: '" + acks + "' (expected: all, 1 or 0)");
        }
        if (!COMPRESSION.contains(compression)) {
            throw new ParameterException(spec.commandLine(), "--compression: '" + compression + "' (expected: none, gzip, snappy, lz4 or zstd)");
        }
        if (partition != null && partition < 0) {
            throw new ParameterException(spec.commandLine(), "--partition: " + partition + " (expected: >= 0)");
        }
        if (noKey) {
            return LineSplitter.noKey();
        }
        String separator = LineSplitter.unescape(keySeparator);
        if (separator.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--key-separator: '' (expected: at least one character, or --no-key)");
        }
        return new LineSplitter(separator);
    }

    private Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        // Fail in seconds when the broker is missing rather than after the 60 s default.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ClientOptions.DEFAULT_API_TIMEOUT_MS);
        props.putAll(client.clientProperties());
        if (!props.containsKey(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)) {
            // The producer requires delivery.timeout.ms >= linger.ms + request.timeout.ms, so a
            // longer request.timeout.ms in --command-config moves our default up with it.
            Long requestTimeoutMs = ClientOptions.longSetting(props, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG);
            Long lingerMs = ClientOptions.longSetting(props, ProducerConfig.LINGER_MS_CONFIG);
            if (lingerMs == null) {
                lingerMs = ((Number) ProducerConfig.configDef().defaultValues().get(ProducerConfig.LINGER_MS_CONFIG)).longValue();
            }
            long deliveryTimeoutMs = DELIVERY_TIMEOUT_MS;
            if (requestTimeoutMs != null) {
                deliveryTimeoutMs = Math.max(deliveryTimeoutMs, requestTimeoutMs + lingerMs);
            }
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryTimeoutMs));
        }
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    /** Fetches metadata up front: an unreachable broker or a bad --partition fails before stdin is read. */
    private void throwIfPartitionMissing(KafkaProducer<byte[], byte[]> producer) {
        List<PartitionInfo> partitions;
        try {
            partitions = producer.partitionsFor(topic);
        } catch (TimeoutException e) {
            throw metadataTimeout(e);
        }
        if (partition != null && partition >= partitions.size()) {
            throw new UserException("--partition: " + partition + " (expected: 0.." + (partitions.size() - 1)
                    + "; topic '" + topic + "' has " + partitions.size() + " partitions)");
        }
    }

    private UserException metadataTimeout(TimeoutException e) {
        return new UserException("no metadata for topic '" + topic + "' from " + client.bootstrapServers()
                + " (is the broker reachable, and does the topic exist or may it be auto-created?): "
                + FailureReporter.oneLine(e.getMessage()));
    }
}

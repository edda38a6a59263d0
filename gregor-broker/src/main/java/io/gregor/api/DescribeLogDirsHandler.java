package io.gregor.api;

import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataLog;
import io.gregor.network.RequestContext;
import io.gregor.replica.ReplicaManager;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeLogDirs v1-5 (Admin.describeLogDirs / describeReplicaLogDirs): the node's one log
 * directory with the size of every partition it hosts, or of the requested ones; a partition not
 * hosted here is simply left out, as Kafka does. The metadata log is not a topic and is hidden.
 * With a single replica the offset lag is 0; there are no future (moving) logs. v4+ adds the
 * volume's total and usable bytes; a failure to read them marks the directory KAFKA_STORAGE_ERROR.
 */
final class DescribeLogDirsHandler implements ApiHandler {

    private static final Logger log = LoggerFactory.getLogger(DescribeLogDirsHandler.class);

    private final BrokerServices broker;

    DescribeLogDirsHandler(BrokerServices broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context) {
        DescribeLogDirsRequestData request = ((DescribeLogDirsRequest) context.request()).data();
        MetadataImage image = broker.image();
        Map<String, TreeSet<Integer>> wanted = new TreeMap<>();
        if (request.topics() == null) {
            for (MetadataImage.TopicImage t : image.topicsByName().values()) {
                TreeSet<Integer> all = wanted.computeIfAbsent(t.name(), k -> new TreeSet<>());
                for (MetadataImage.PartitionImage p : t.partitions()) {
                    all.add(p.partition());
                }
            }
        } else {
            for (DescribeLogDirsRequestData.DescribableLogDirTopic t : request.topics()) {
                wanted.computeIfAbsent(t.topic(), k -> new TreeSet<>()).addAll(t.partitions());
            }
        }
        Path dir = broker.replicas().store().dir().toAbsolutePath();
        DescribeLogDirsResult result = new DescribeLogDirsResult()
                .setErrorCode(Errors.NONE.code())
                .setLogDir(dir.toString())
                .setIsCordoned(false);
        for (Map.Entry<String, TreeSet<Integer>> e : wanted.entrySet()) {
            if (e.getKey().equals(MetadataLog.TOPIC)) {
                continue;
            }
            DescribeLogDirsTopic topic = new DescribeLogDirsTopic().setName(e.getKey());
            for (int partition : e.getValue()) {
                Optional<ReplicaManager.HostedPartition> hosted = broker.replicas().partition(e.getKey(), partition);
                if (hosted.isPresent()) {
                    topic.partitions().add(new DescribeLogDirsPartition()
                            .setPartitionIndex(partition)
                            .setPartitionSize(hosted.get().log().sizeInBytes())
                            .setOffsetLag(0)
                            .setIsFutureKey(false));
                }
            }
            if (!topic.partitions().isEmpty()) {
                result.topics().add(topic);
            }
        }
        try {
            FileStore store = Files.getFileStore(dir);
            result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        } catch (IOException e) {
            log.warn("Cannot read the volume of log directory {}: {}", dir, e.toString());
            result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setTopics(List.of());
        }
        return ApiHandler.done(new DescribeLogDirsResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(Errors.NONE.code())
                .setResults(List.of(result)));
    }
}

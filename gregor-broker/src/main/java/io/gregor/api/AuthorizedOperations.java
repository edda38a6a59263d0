package io.gregor.api;

import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * The authorized-operations bit fields clients ask for (Metadata, DescribeCluster, DescribeTopicPartitions,
 * DescribeGroups, ConsumerGroupDescribe): with no authorizer, as here, Kafka reports every operation the resource type
 * supports ({@code AclEntry.supportedOperations}).
 */
final class AuthorizedOperations {

    static final int TOPIC = bits(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

    static final int CLUSTER = bits(AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE);

    static final int GROUP = bits(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

    private AuthorizedOperations() {
    }

    private static int bits(AclOperation... operations) {
        Set<Byte> codes = new java.util.HashSet<>();
        for (AclOperation op : operations) {
            codes.add(op.code());
        }
        return Utils.to32BitField(codes);
    }
}

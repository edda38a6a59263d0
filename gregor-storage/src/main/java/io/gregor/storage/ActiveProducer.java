package io.gregor.storage;

/**
 * One idempotent producer a partition keeps state for (DescribeProducers): its epoch, the last sequence number of
 * its newest retained batch (-1 when none is retained) and the timestamp of its newest batch.
 */
public record ActiveProducer(long producerId, short epoch, int lastSequence, long lastTimestamp) {
}

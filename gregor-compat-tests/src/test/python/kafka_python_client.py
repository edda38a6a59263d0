# What KafkaPythonClientTest asks kafka-python (the pure-Python client) to do against a broker, one
# command per run. Prints one tab-separated line per result on stdout for the test to check; any
# error ends the run with a traceback and a non-zero exit.
#
#   python3 kafka_python_client.py produce BOOTSTRAP TOPIC COUNT
#       create TOPIC (3 partitions) with the admin client, then send COUNT records with acks=all,
#       half of them gzip-compressed; prints the negotiated version and one 'ack' line per record
#   python3 kafka_python_client.py consume BOOTSTRAP TOPIC GROUP COUNT
#       read COUNT records as a member of GROUP, commit them, print them and the committed offsets
#   python3 kafka_python_client.py seek BOOTSTRAP TOPIC PARTITION OFFSET TIMESTAMP
#       without a group: the partition's earliest and latest offsets, the offset for TIMESTAMP,
#       and the records from OFFSET to the end (assign + seek)
#   python3 kafka_python_client.py admin BOOTSTRAP TOPIC GROUP
#       the topic's retention.ms as DescribeConfigs gives it, the groups, GROUP's committed
#       offsets; then deletes TOPIC and lists the topics left
import sys

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic


def out(*fields):
    print("\t".join(str(f) for f in fields), flush=True)


def text(b):
    return b.decode("utf-8") if b is not None else ""


def headers_of(record):
    return ",".join("%s=%s" % (k, text(v)) for k, v in record.headers)


def produce(bootstrap, topic, count):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="gregor-kafka-python")
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    out("version", ".".join(str(v) for v in admin.config["api_version"]))
    admin.close()
    for codec, numbers in ((None, range(0, count // 2)), ("gzip", range(count // 2, count))):
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type=codec, retries=5)
        futures = []
        for i in numbers:
            futures.append((i, producer.send(topic, key=("key-%d" % (i % 5)).encode(),
                                             value=("value-%d" % i).encode(),
                                             headers=[("seq", str(i).encode())], timestamp_ms=1_700_000_000_000 + i)))
        producer.flush(30)
        for i, future in futures:
            meta = future.get(30)
            out("ack", i, meta.partition, meta.offset)
        producer.close(30)


def consume(bootstrap, topic, group, count):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=30000)
    seen = 0
    for record in consumer:
        out("record", record.partition, record.offset, text(record.key), text(record.value), headers_of(record))
        seen += 1
        if seen == count:
            break
    consumer.commit()
    for tp in sorted(consumer.assignment()):
        out("committed", tp.partition, consumer.committed(tp))
    consumer.close()


def seek(bootstrap, topic, partition, offset, timestamp):
    tp = TopicPartition(topic, partition)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000)
    consumer.assign([tp])
    out("earliest", consumer.beginning_offsets([tp])[tp])
    end = consumer.end_offsets([tp])[tp]
    out("latest", end)
    found = consumer.offsets_for_times({tp: timestamp})[tp]
    out("for-time", found.offset if found else -1, found.timestamp if found else -1)
    consumer.seek(tp, offset)
    while consumer.position(tp) < end:
        for records in consumer.poll(timeout_ms=1000).values():
            for record in records:
                out("record", record.partition, record.offset, text(record.key), text(record.value),
                    headers_of(record))
    consumer.close()


def admin_calls(bootstrap, topic, group):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="gregor-kafka-python")
    response = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])[0]
    for error_code, _, _, _, entries in response.resources:
        out("config-error", error_code)
        for entry in entries:
            if entry[0] == "retention.ms":
                out("config", entry[0], entry[1])
    out("groups", ",".join(sorted(g for g, _ in admin.list_consumer_groups())))
    for tp, committed in sorted(admin.list_consumer_group_offsets(group).items()):
        out("group-offset", tp.topic, tp.partition, committed.offset)
    admin.delete_topics([topic])
    out("topics", ",".join(sorted(admin.list_topics())))
    admin.close()


def main(argv):
    command, bootstrap, topic = argv[1], argv[2], argv[3]
    if command == "produce":
        produce(bootstrap, topic, int(argv[4]))
    elif command == "consume":
        consume(bootstrap, topic, argv[4], int(argv[5]))
    elif command == "seek":
        seek(bootstrap, topic, int(argv[4]), int(argv[5]), int(argv[6]))
    elif command == "admin":
        admin_calls(bootstrap, topic, argv[4])
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv)

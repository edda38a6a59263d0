package gregorbench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The group workload of bench/group-bench.sh, against one broker:
 * (a) drain: N consumers in one group (each polling on its own thread) read a filled topic;
 *     the time runs from the subscribe calls to the last record (group join included);
 * (b) recovery: with the group Stable, one member close()s; the time runs from the close() call
 *     until Admin.describeConsumerGroups reports the group Stable with one member fewer
 *     (polled every 5 ms). Repeated --closes times, one member at a time.
 * Prints "drain_ms=.. join_ms=.. records=..", then one "recovery_ms=.." line per close.
 *
 * Usage: GroupBench BOOTSTRAP TOPIC RECORDS CONSUMERS GROUP CLOSES GROUP_PROTOCOL
 */
public final class GroupBench {

    private static final class Member {
        final KafkaConsumer<byte[], byte[]> consumer;
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Member(Properties props, String topic, AtomicLong consumed, AtomicLong firstRecordNs) {
            consumer = new KafkaConsumer<>(props);
            thread = new Thread(() -> {
                try {
                    consumer.subscribe(List.of(topic));
                    while (running.get()) {
                        int n = consumer.poll(Duration.ofMillis(100)).count();
                        if (n > 0) {
                            firstRecordNs.compareAndSet(0, System.nanoTime());
                            consumed.addAndGet(n);
                        }
                    }
                } finally {
                    consumer.close();
                }
            });
            thread.start();
        }

        void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        long records = Long.parseLong(args[2]);
        int consumers = Integer.parseInt(args[3]);
        String group = args[4];
        int closes = Integer.parseInt(args[5]);
        String protocol = args[6];

        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        AtomicLong consumed = new AtomicLong();
        AtomicLong firstRecordNs = new AtomicLong();
        List<Member> members = new ArrayList<>();
        long startNs = System.nanoTime();
        for (int i = 0; i < consumers; i++) {
            Properties p = (Properties) props.clone();
            p.put(ConsumerConfig.CLIENT_ID_CONFIG, "group-bench-" + i);
            members.add(new Member(p, topic, consumed, firstRecordNs));
        }
        long deadlineNs = startNs + Duration.ofMinutes(5).toNanos();
        while (consumed.get() < records) {
            if (System.nanoTime() > deadlineNs) {
                throw new IllegalStateException("drain: " + consumed.get() + " of " + records + " records after 5 minutes");
            }
            Thread.sleep(1);
        }
        long drainNs = System.nanoTime() - startNs;
        System.out.printf("drain_ms=%d join_ms=%d records=%d%n", drainNs / 1_000_000,
                (firstRecordNs.get() - startNs) / 1_000_000, consumed.get());

        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(adminProps)) {
            for (int c = 0; c < closes && members.size() > 1; c++) {
                awaitStable(admin, group, members.size());
                Member leaving = members.remove(members.size() - 1);
                long closeNs = System.nanoTime();
                leaving.close();
                awaitStable(admin, group, members.size());
                System.out.printf("recovery_ms=%.1f members=%d%n", (System.nanoTime() - closeNs) / 1e6, members.size());
            }
        }
        for (Member m : members) {
            m.close();
        }
    }

    private static void awaitStable(Admin admin, String group, int memberCount) throws Exception {
        long deadlineNs = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
            if (d.groupState() == GroupState.STABLE && d.members().size() == memberCount) {
                return;
            }
            if (System.nanoTime() > deadlineNs) {
                throw new IllegalStateException("group " + group + " not Stable with " + memberCount + " members: "
                        + d.groupState() + " with " + d.members().size());
            }
            Thread.sleep(5);
        }
    }
}

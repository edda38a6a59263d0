package io.gregor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gregor.testkit.TestNode;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * There is no transaction coordinator yet. A transactional producer must hear so at once, not retry for max.block.ms
 * and time out with nothing said; idempotent producers (no transactional.id) are unaffected.
 */
@Timeout(60)
class TransactionsRefusedTest {

    @Test
    void shouldRefuseInitTransactionsAtOnceWithAClearMessage() throws Exception {
        try (TestNode node = TestNode.start()) {
            Clients.createTopic(node, "txn", 1, Map.of());
            // A retriable answer would end in a TimeoutException after max.block.ms instead.
            try (KafkaProducer<String, String> producer = Clients.producer(node,
                    Map.of("transactional.id", "tx-1", "max.block.ms", 30_000))) {
                long start = System.nanoTime();
                assertThatThrownBy(producer::initTransactions)
                        .isExactlyInstanceOf(KafkaException.class)
                        .hasMessageContaining("no transaction coordinator");
                assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(20_000);
            }
            try (Admin admin = Clients.admin(node)) {
                // kafka-transactions describe: refused at once too (the admin client words it itself).
                assertThatThrownBy(() -> admin.describeTransactions(List.of("tx-1")).all().get())
                        .hasCauseInstanceOf(InvalidRequestException.class);
            }
            try (KafkaProducer<String, String> idempotent = Clients.producer(node, Map.of("enable.idempotence", true))) {
                assertThat(idempotent.send(new ProducerRecord<>("txn", "k", "v")).get().offset()).isZero();
            }
        }
    }
}

package io.gregor.cli;

import io.gregor.testkit.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * For CLI test classes whose tests share one node: started before the class's first test, closed
 * after its last (test classes run one at a time); {@code gregor(ARGS)} runs a command against it.
 */
abstract class SharedNodeCliTest {

    static TestNode node;

    @BeforeAll
    static void startSharedNode() {
        node = TestNode.builder().override("group.initial.rebalance.delay.ms", "0").start();
    }

    @AfterAll
    static void stopSharedNode() {
        if (node != null) {
            node.close();
        }
    }

    static Gregor.Result gregor(String... args) {
        return gregorWithStdin("", args);
    }

    static Gregor.Result gregorWithStdin(String stdin, String... args) {
        return Gregor.runAgainst(node.bootstrapServers(), stdin, args);
    }
}

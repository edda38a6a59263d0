package io.gregor.protocol;

import io.gregor.testkit.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * For test classes whose tests share one node: started before the class's first test, closed after its last (test
 * classes run one at a time).
 */
abstract class SharedNodeTest {
    static TestNode node;

    @BeforeAll
    static void startSharedNode() {
        node = TestNode.start();
    }

    @AfterAll
    static void stopSharedNode() {
        node.close();
    }
}

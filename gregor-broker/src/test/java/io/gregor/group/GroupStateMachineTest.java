package io.gregor.group;

import io.gregor.metadata.MetadataImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * For tests of the group state machine driven by a fake clock and {@link FakeGroupTimer}: a node with topic t (6
 * partitions), the records each step wrote (replayed as the coordinator replays them once written), and the clock.
 */
abstract class GroupStateMachineTest {
    static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");

    final MetadataImage image = MetadataImage.EMPTY.apply(FakeGroupTimer.topicRecords("t", TOPIC_ID, 6), 1);
    FakeGroupTimer timer = new FakeGroupTimer();
    GroupConfig config = GroupConfig.defaults(0);
    GroupStateMachine sm = newStateMachine();
    final List<GroupRecord> written = new ArrayList<>();
    long now = 1_000_000;

    /** A state machine on {@link #config}, {@link #timer} and {@link #image}. */
    GroupStateMachine newStateMachine() {
        return new GroupStateMachine(config, timer, g -> 0, () -> image);
    }

    /** The step's records are written: replayed, kept in {@link #written}, and its responses sent. */
    void commit(Effects fx) {
        for (GroupRecord r : fx.records()) {
            sm.replay(r, now, false);
            written.add(r);
        }
        fx.completeAll();
    }

    /** Moves the clock on and fires the timers due by then, earliest first. */
    void advance(long ms) {
        now += ms;
        GroupTimer.Task due;
        while ((due = timer.takeNextDue(now)) != null) {
            Effects fx = new Effects();
            due.run(now, fx);
            commit(fx);
        }
    }
}

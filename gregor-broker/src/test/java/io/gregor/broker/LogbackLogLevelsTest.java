package io.gregor.broker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Logback side of the BROKER_LOGGER resource: what it lists and what a change does to real loggers. */
class LogbackLogLevelsTest {

    private static final String PARENT = "io.gregor.loglevelstest";
    private static final String CHILD = PARENT + ".Child";

    private final Logger child = LoggerFactory.getLogger(CHILD);
    private final RuntimeLogLevels levels = RuntimeLogLevels.ofSlf4jBackend();

    @AfterEach
    void restore() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(PARENT).setLevel(null);
        context.getLogger(CHILD).setLevel(null);
    }

    @Test
    void shouldListRootAndEveryLoggerWithItsEffectiveLevelWhenLogbackIsTheBackend() {
        assertThat(levels).isInstanceOf(LogbackLogLevels.class);
        // logback-test.xml: root WARN, io.gregor INFO; a logger's parents exist once it does.
        assertThat(levels.effectiveLevels())
                .containsEntry("root", "WARN")
                .containsEntry(CHILD, "INFO")
                .containsEntry(PARENT, "INFO")
                .doesNotContainKey("ROOT");
        assertThat(levels.exists("root")).isTrue();
        assertThat(levels.exists("ROOT")).isFalse();
        assertThat(levels.exists(PARENT)).isTrue();
        assertThat(levels.exists(PARENT + ".Missing")).isFalse();
    }

    @Test
    void shouldChangeWhatTheLoggerAndItsChildrenLogAndRevertToTheInheritedLevelOnUnset() {
        assertThat(child.isDebugEnabled()).isFalse();

        levels.setLevel(PARENT, "DEBUG");

        assertThat(child.isDebugEnabled()).isTrue();
        assertThat(levels.effectiveLevels()).containsEntry(PARENT, "DEBUG").containsEntry(CHILD, "DEBUG");

        levels.setLevel(CHILD, "ERROR");
        assertThat(child.isWarnEnabled()).isFalse();
        levels.unsetLevel(CHILD);
        assertThat(child.isDebugEnabled()).isTrue();

        levels.unsetLevel(PARENT);
        assertThat(child.isDebugEnabled()).isFalse();
        assertThat(levels.effectiveLevels()).containsEntry(CHILD, "INFO");
    }

    @Test
    void shouldMapKafkasFatalToLogbacksMostSevereLevel() {
        levels.setLevel(CHILD, "FATAL");

        assertThat(((ch.qos.logback.classic.Logger) child).getLevel()).isEqualTo(Level.ERROR);
        assertThat(levels.effectiveLevels()).containsEntry(CHILD, "ERROR");
    }
}

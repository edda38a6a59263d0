package io.gregor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.gregor.cli.LineSplitter.KeyedLine;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private final LineSplitter tab = new LineSplitter("\t");

    @Test
    void shouldSplitAtFirstSeparator() {
        assertThat(tab.split("k\tv\tmore")).isEqualTo(new KeyedLine("k", "v\tmore"));
    }

    @Test
    void shouldTreatLineWithoutSeparatorAsValueOnly() {
        assertThat(tab.split("just a value")).isEqualTo(new KeyedLine(null, "just a value"));
    }

    @Test
    void shouldKeepEmptyKeyAndEmptyValue() {
        assertThat(tab.split("\tv")).isEqualTo(new KeyedLine("", "v"));
        assertThat(tab.split("k\t")).isEqualTo(new KeyedLine("k", ""));
        assertThat(tab.split("")).isEqualTo(new KeyedLine(null, ""));
    }

    @Test
    void shouldSplitAtMultiCharacterSeparator() {
        assertThat(new LineSplitter("::").split("a:b::c::d")).isEqualTo(new KeyedLine("a:b", "c::d"));
    }

    @Test
    void shouldNotSplitWhenNoKey() {
        assertThat(LineSplitter.noKey().split("k\tv")).isEqualTo(new KeyedLine(null, "k\tv"));
    }

    @Test
    void shouldUnescapeWhatUsersTypeForSeparators() {
        assertThat(LineSplitter.unescape("\\t")).isEqualTo("\t");
        assertThat(LineSplitter.unescape("a\\nb\\\\c\\r\\0")).isEqualTo("a\nb\\c\r\0");
        assertThat(LineSplitter.unescape("\\x|")).isEqualTo("\\x|");
        assertThat(LineSplitter.unescape("trailing\\")).isEqualTo("trailing\\");
        assertThat(LineSplitter.unescape(",")).isEqualTo(",");
    }
}

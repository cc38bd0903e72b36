package dev.streamlearn.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SeenIdFilterTest {

  /** The one promise the dedup stage relies on: a key added is never called "not seen", full or not. */
  @Property(tries = 200)
  void neverAFalseNo(@ForAll @Size(max = 400) List<String> keys, @ForAll @IntRange(min = 1, max = 500) int capacity) {
    SeenIdFilter f = new SeenIdFilter(capacity);
    for (String k : keys) {
      f.add(SeenIdFilter.hash(k));
    }
    for (String k : keys) {
      assertThat(f.mightContain(SeenIdFilter.hash(k))).as("added key %s", k).isTrue();
    }
  }

  /**
   * The store compares keys by their UTF-8 bytes, in which an unpaired surrogate becomes '?': a key read back from
   * the store at start-up must hash as the key that was put, or a resent duplicate would pass.
   */
  @Property(tries = 500)
  void aKeyHashesAsItsStoredBytesReadBack(@ForAll @net.jqwik.api.constraints.Chars({'a', '?', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u00e9'})
      @Size(max = 12) String key) {
    String readBack = new String(key.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(SeenIdFilter.hash(key)).isEqualTo(SeenIdFilter.hash(readBack));
  }

  @Test
  void aSurrogatePairIsOneCharacterNotTwoQuestionMarks() {
    assertThat(SeenIdFilter.hash("a\uD83D\uDE00")).isNotEqualTo(SeenIdFilter.hash("a??"));
    assertThat(SeenIdFilter.hash("a\uD800")).isEqualTo(SeenIdFilter.hash("a?"));
  }

  @Test
  void falsePositivesStayNearTheRateItWasSizedFor() {
    int capacity = 20_000;
    SeenIdFilter f = new SeenIdFilter(capacity);
    for (int i = 0; i < capacity; i++) {
      f.add(SeenIdFilter.hash("id-" + i));
    }
    int falsePositives = 0;
    int probes = 200_000;
    for (int i = 0; i < probes; i++) {
      if (f.mightContain(SeenIdFilter.hash("other-" + i))) {
        falsePositives++;
      }
    }
    // Sized at 1%; 20,000 keys round up to 2^18 bits and 9 probes, which gives about 0.2%.
    assertThat((double) falsePositives / probes).isLessThan(0.004);
    assertThat(f.full()).isFalse();
    f.add(SeenIdFilter.hash("one more"));
    assertThat(f.full()).isTrue();
  }

  @Test
  void keysThatDifferInOneCharacterHashApart() {
    Set<Long> hashes = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      hashes.add(SeenIdFilter.hash("r" + i));
    }
    assertThat(hashes).hasSize(100_000);
    assertThat(SeenIdFilter.hash("")).isNotEqualTo(SeenIdFilter.hash("\0"));
  }

  @Test
  void anEmptyFilterHasSeenNothing() {
    SeenIdFilter f = new SeenIdFilter(1);
    assertThat(f.mightContain(SeenIdFilter.hash("a"))).isFalse();
    assertThat(f.sizeBytes()).isEqualTo(8);
    assertThatThrownBy(() -> new SeenIdFilter(0)).isInstanceOf(IllegalArgumentException.class);
  }
}

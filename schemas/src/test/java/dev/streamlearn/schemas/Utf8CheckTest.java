package dev.streamlearn.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Utf8CheckTest {

  @Test
  void agreesWithTheJdksStrictDecoderOnRandomAndNearValidInput() {
    SplittableRandom rnd = new SplittableRandom(7);
    int tried = 0;
    for (int i = 0; i < 200_000; i++) {
      byte[] b;
      if (i % 2 == 0) {
        b = new byte[rnd.nextInt(8)];
        rnd.nextBytes(b);
      } else {
        // valid text with one byte replaced: the near misses (overlongs, surrogates, truncations)
        StringBuilder sb = new StringBuilder();
        for (int k = rnd.nextInt(1, 5); k > 0; k--) {
          sb.appendCodePoint(rnd.nextInt(5) == 0 ? rnd.nextInt(0x80) : rnd.nextInt(0x80, 0x110000));
        }
        b = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (b.length > 0 && rnd.nextBoolean()) {
          b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
      }
      assertThat(Utf8Check.firstInvalid(b) < 0).as("%s", java.util.HexFormat.of().formatHex(b)).isEqualTo(jdkAccepts(b));
      tried++;
    }
    assertThat(tried).isEqualTo(200_000);
  }

  @Test
  void refusesOverlongsSurrogatesAndTruncations() {
    assertThat(Utf8Check.firstInvalid(new byte[] {'a', (byte) 0xC0, (byte) 0xAF})).isEqualTo(1);
    assertThat(Utf8Check.firstInvalid(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).isZero();
    assertThat(Utf8Check.firstInvalid(new byte[] {(byte) 0xE2, (byte) 0x82})).isZero();
    assertThat(Utf8Check.firstInvalid("héllo €𝄞".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
  }

  private static boolean jdkAccepts(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}

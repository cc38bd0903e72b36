package dev.streamlearn.streams.clean;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the clean stage puts of a producer's label into its log. */
class PrintableTest {

  @Test
  void controlAndFormatCharactersAreEscapedAndLongTextCut() {
    assertThat(CleanProcessor.printable("red soil")).isEqualTo("red soil");
    assertThat(CleanProcessor.printable("a\nb\u2028c\u2029d\u202Ee\u0000f")).isEqualTo("a\\u000ab\\u2028c\\u2029d\\u202ee\\u0000f");
    String longLabel = "x".repeat(10_000);
    assertThat(CleanProcessor.printable(longLabel)).hasSize(303).endsWith("...");
    assertThat(CleanProcessor.printable("\uD83D\uDE00 ok")).as("a code point outside the BMP stays whole").isEqualTo("\uD83D\uDE00 ok");
  }
}

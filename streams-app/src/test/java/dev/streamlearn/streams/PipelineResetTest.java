package dev.streamlearn.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipelineResetTest {

  @Test
  void anInternalTopicIsTheApplicationsOwnNotAnotherPipelinesWhoseIdStartsAlike() {
    String app = "streamlearn.preprocess";
    assertThat(PipelineReset.isInternal(app, "streamlearn.preprocess-dedup-ids-changelog")).isTrue();
    assertThat(PipelineReset.isInternal(app, "streamlearn.preprocess-by-dedup-key-repartition")).isTrue();
    assertThat(PipelineReset.isInternal(app, "streamlearn.preprocess-eu.preprocess-dedup-ids-changelog")).as("prefix 'streamlearn.preprocess-eu.'").isFalse();
    assertThat(PipelineReset.isInternal(app, "streamlearn.preprocess-dedup-ids")).as("not an internal suffix").isFalse();
    assertThat(PipelineReset.isInternal(app, "streamlearn.records.raw")).isFalse();
  }
}

package dev.streamlearn.core;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** The dataset spec pinned on the stats topic under the key {@code spec}: where every part of the pipeline takes it from. */
public final class PinnedSpec {

  public static final String KEY = "spec";

  private PinnedSpec() {}

  /**
   * The same feature and label lists, in the same order: what every piece of state and every network is built on (one
   * moment or input per feature, one count or output per label). The transform policies may differ.
   */
  public static boolean sameColumns(DatasetSpec a, DatasetSpec b) {
    return a.getFeatures().equals(b.getFeatures()) && a.getLabels().equals(b.getLabels());
  }

  public static Optional<DatasetSpec> read(KafkaClients clients) {
    DatasetSpec[] last = new DatasetSpec[1];
    new TopicReader(clients).readAll(clients.config().topic(TopicName.STATS), r -> {
      if (r.key() != null && KEY.equals(new String(r.key(), StandardCharsets.UTF_8))) {
        try {
          last[0] = r.value() == null ? null : UntrustedBytes.decode(Avro.SPEC, r.value()); // null: unpinned by 'replay --respec'
        } catch (RuntimeException e) {
          // junk under the key must not unpin the spec nor stop the reader: the last good one stands
          LoggerFactory.getLogger(PinnedSpec.class).warn("skipping the record at {}-{}@{}: not a dataset spec: {}", r.topic(), r.partition(), r.offset(),
              e.getMessage());
        }
      }
    });
    return Optional.ofNullable(last[0]);
  }
}

package dev.streamlearn.core;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.schemas.Avro;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The dataset spec pinned on the stats topic under the key {@code spec}: where every part of the pipeline takes it from. */
public final class PinnedSpec {

  public static final String KEY = "spec";

  private PinnedSpec() {}

  public static Optional<DatasetSpec> read(KafkaClients clients) {
    DatasetSpec[] last = new DatasetSpec[1];
    new TopicReader(clients).readAll(clients.config().topic(TopicName.STATS), r -> {
      if (r.key() != null && KEY.equals(new String(r.key(), StandardCharsets.UTF_8))) {
        last[0] = r.value() == null ? null : Avro.SPEC.decode(r.value()); // null: unpinned by 'replay --respec'
      }
    });
    return Optional.ofNullable(last[0]);
  }
}

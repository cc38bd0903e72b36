package dev.streamlearn.schemas;

import dev.streamlearn.avro.DatasetSpec;
import dev.streamlearn.avro.LabeledRecord;
import dev.streamlearn.avro.ModelCommand;
import dev.streamlearn.avro.ModelPointer;
import dev.streamlearn.avro.ModelSnapshot;
import dev.streamlearn.avro.NormalizerStats;
import dev.streamlearn.avro.ProcessedRecord;
import dev.streamlearn.avro.RejectedRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every schema version streamlearn has ever written, looked up by the fingerprint that Avro's
 * single-object encoding puts in front of each record. A reader resolves an older (or newer)
 * writer schema against its own, so producers and consumers can upgrade independently.
 *
 * <p>When a schema changes, copy its previous text to {@code history/NAME-vN.avsc} and add it to
 * {@link #HISTORY}; never edit a history file.
 */
public final class KnownSchemas implements SchemaStore {

  static final List<String> HISTORY = List.of("LabeledRecord-v1.avsc",
      // v1 of every schema that embeds DatasetSpec, from before its serving-policy fields (ModelSnapshot's v1 is also
      // from before its signature); ProcessedRecord before 'raw' (v1) and before 'synthetics' (v2);
      // ModelPointer before 'lastVersion'.
      "DatasetSpec-v1.avsc", "NormalizerStats-v1.avsc", "ModelSnapshot-v1.avsc", "ProcessedRecord-v1.avsc", "ProcessedRecord-v2.avsc",
      "ModelPointer-v1.avsc");

  private static final KnownSchemas INSTANCE = new KnownSchemas();

  private final SchemaStore.Cache cache = new SchemaStore.Cache();
  private final List<Schema> all = new ArrayList<>();

  private KnownSchemas() {
    for (Schema current : currentSchemas()) {
      add(current);
    }
    for (String file : HISTORY) {
      add(loadHistory(file));
    }
  }

  public static KnownSchemas get() {
    return INSTANCE;
  }

  /** The schemas of the generated classes, i.e. what this build writes. */
  public static List<Schema> currentSchemas() {
    return List.of(
        LabeledRecord.getClassSchema(),
        ProcessedRecord.getClassSchema(),
        RejectedRecord.getClassSchema(),
        DatasetSpec.getClassSchema(),
        NormalizerStats.getClassSchema(),
        ModelSnapshot.getClassSchema(),
        ModelPointer.getClassSchema(),
        ModelCommand.getClassSchema());
  }

  public static Schema loadHistory(String file) {
    String path = "/dev/streamlearn/schemas/history/" + file;
    try (InputStream in = KnownSchemas.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing schema resource " + path);
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void add(Schema schema) {
    cache.addSchema(schema);
    all.add(schema);
  }

  @Override
  public Schema findByFingerprint(long fingerprint) {
    return cache.findByFingerprint(fingerprint);
  }

  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  public List<Schema> all() {
    return Collections.unmodifiableList(all);
  }
}

package dev.streamlearn.cli.serve;

import dev.streamlearn.client.CurrentModel;
import dev.streamlearn.client.Prediction;
import dev.streamlearn.client.ServingTransform;
import dev.streamlearn.schemas.MalformedRecordException;
import dev.streamlearn.schemas.RawEvent;
import dev.streamlearn.schemas.RawEventParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores raw events (the records.raw format) with a {@link CurrentModel}, one answer per event: a
 * prediction, or the reason the event cannot be scored: not a record, a feature that is not a number,
 * or a missing, unknown, non-finite or out-of-range feature under the served version's training
 * policy. The valid events of a call are scored in one batch; one bad event never fails the others.
 * {@code streamlearn predict} and {@code streamlearn serve} both answer through it.
 */
public final class EventScorer {

  /** One event's answer: {@code prediction} or {@code error} is set. */
  public record Scored(String id, String actual, Prediction prediction, String error) {}

  private final CurrentModel model;
  private final RawEventParser parser = new RawEventParser();

  public EventScorer(CurrentModel model) {
    this.model = model;
  }

  /** Answers in input order. Throws {@link CurrentModel.NoModelException} if no version serves yet. */
  public List<Scored> score(List<byte[]> events) {
    List<String> specFeatures = model.spec().getFeatures();
    List<Parsed> parsed = new ArrayList<>(events.size());
    for (byte[] e : events) {
      parsed.add(parse(e, specFeatures));
    }
    List<Map<String, Double>> valid = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < parsed.size(); i++) {
      Parsed p = parsed.get(i);
      if (p.error() != null) {
        continue;
      }
      try {
        model.validate(p.event().features()); // the training policy, per event, so one bad event does not fail its batch
      } catch (ServingTransform.InvalidFeaturesException ex) {
        parsed.set(i, p.failed(ex.getMessage()));
        continue;
      }
      valid.add(p.event().features());
      at.add(i);
    }
    Prediction[] byEvent = new Prediction[parsed.size()];
    try {
      List<Prediction> predictions = valid.isEmpty() ? List.of() : model.predictAll(valid);
      for (int j = 0; j < at.size(); j++) {
        byEvent[at.get(j)] = predictions.get(j);
      }
    } catch (CurrentModel.NonFiniteOutputException | ServingTransform.InvalidFeaturesException batchFailed) {
      // One extreme record overflowed the network, or a new version with another spec swapped in since validation:
      // score record by record to tell which.
      for (int j = 0; j < at.size(); j++) {
        int i = at.get(j);
        try {
          byEvent[i] = model.predictAll(List.of(valid.get(j))).get(0);
        } catch (CurrentModel.NonFiniteOutputException ex) {
          parsed.set(i, parsed.get(i).failed("the model's output overflowed for this record (non-finite probabilities)"));
        } catch (ServingTransform.InvalidFeaturesException ex) {
          parsed.set(i, parsed.get(i).failed(ex.getMessage()));
        }
      }
    }
    List<Scored> out = new ArrayList<>(parsed.size());
    for (int i = 0; i < parsed.size(); i++) {
      Parsed p = parsed.get(i);
      RawEvent e = p.event();
      out.add(new Scored(e == null ? null : e.id(), e == null ? null : e.label(), p.error() == null ? byEvent[i] : null, p.error()));
    }
    return out;
  }

  private record Parsed(RawEvent event, String error) {
    Parsed failed(String why) {
      return new Parsed(event, why);
    }
  }

  private Parsed parse(byte[] bytes, List<String> specFeatures) {
    try {
      RawEvent e = parser.parse(bytes);
      for (String key : e.metadata().keySet()) {
        if (specFeatures.contains(key) && !e.features().containsKey(key)) {
          // As the cleaner decides: a feature of the model that came only as a non-number (kept aside as metadata).
          return new Parsed(e, "feature '" + key + "' is not a number");
        }
      }
      return new Parsed(e, null);
    } catch (MalformedRecordException | RuntimeException ex) {
      return new Parsed(null, "not a record: " + ex.getMessage());
    }
  }
}

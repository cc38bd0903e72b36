package dev.streamlearn.updater;

import java.io.ObjectInputFilter;
import java.util.concurrent.Callable;

/**
 * Restricts Java deserialization while a model is restored. DL4J's ModelSerializer reads most of a
 * model as JSON and raw arrays, but an optional {@code preprocessor.bin} entry with
 * {@link java.io.ObjectInputStream}; a snapshot carrying a gadget chain there would run it in the
 * updater and in every client. During {@link #restoring} the current thread's object streams accept
 * only ND4J's data-set preprocessors and the JDK value classes they are made of, within small
 * depth and size limits; everything else is rejected before its class is even loaded.
 *
 * <p>The filter is per thread (a JVM-wide filter factory, installed once, that applies it only
 * inside {@link #restoring}), so other uses of Java serialization in the same JVM are unaffected.
 */
public final class RestoreFilter {

  /** What DL4J may deserialize: its data-set preprocessors (ND4J) and the JDK boxes and strings in their fields. */
  static final String ALLOWED = "maxdepth=20;maxrefs=10000;maxarray=100000000;maxbytes=1000000000;"
      + "org.nd4j.linalg.dataset.api.preprocessor.**;org.nd4j.linalg.dataset.preprocessor.**;"
      + "java.lang.Enum;java.lang.Number;java.lang.Double;java.lang.Float;java.lang.Integer;java.lang.Long;java.lang.Boolean;java.lang.String;!*";

  private static final ObjectInputFilter ALLOW_LIST = ObjectInputFilter.Config.createFilter(ALLOWED);
  private static final ThreadLocal<Boolean> RESTORING = ThreadLocal.withInitial(() -> false);
  private static final IllegalStateException INSTALL_FAILURE = install();

  private RestoreFilter() {}

  private static IllegalStateException install() {
    try {
      ObjectInputFilter.Config.setSerialFilterFactory((current, requested) -> {
        if (!RESTORING.get()) {
          return requested; // the JDK's own behaviour outside a restore
        }
        ObjectInputFilter base = requested != null ? requested : current;
        // The allow-list decides first; a stricter JVM-wide filter (jdk.serialFilter) still applies on top.
        return base == null ? ALLOW_LIST : ObjectInputFilter.merge(ALLOW_LIST, base);
      });
      return null;
    } catch (IllegalStateException e) {
      return e; // someone else installed a factory first: refuse restores rather than run them unfiltered
    }
  }

  /** Runs {@code restore} with this thread's Java deserialization restricted to {@link #ALLOWED}. */
  public static <T> T restoring(Callable<T> restore) throws Exception {
    if (INSTALL_FAILURE != null) {
      throw new IllegalStateException("cannot restrict Java deserialization (another serial filter factory is installed); refusing to restore a model",
          INSTALL_FAILURE);
    }
    RESTORING.set(true);
    try {
      return restore.call();
    } finally {
      RESTORING.set(false);
    }
  }
}

package dev.streamlearn.client;

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
 * <p>The filter is JVM-wide (installed once, the first time a model is restored: unlike a filter
 * factory, a JVM-wide filter can still be set after other code created object streams) but acts only
 * on the thread inside {@link #restoring}; elsewhere it stays undecided, which leaves the JDK's own
 * behaviour unchanged. If another JVM-wide filter or a custom filter factory is already in place, ours
 * cannot take effect, and restores are refused rather than run unfiltered.
 */
public final class RestoreFilter {

  /** What DL4J may deserialize: its data-set preprocessors (ND4J) and the JDK boxes and strings in their fields. */
  static final String ALLOWED = "maxdepth=20;maxrefs=10000;maxarray=100000000;maxbytes=1000000000;"
      + "org.nd4j.linalg.dataset.api.preprocessor.**;org.nd4j.linalg.dataset.preprocessor.**;"
      + "java.lang.Enum;java.lang.Number;java.lang.Double;java.lang.Float;java.lang.Integer;java.lang.Long;java.lang.Boolean;java.lang.String;!*";

  private static final ObjectInputFilter ALLOW_LIST = ObjectInputFilter.Config.createFilter(ALLOWED);
  private static final ThreadLocal<Boolean> RESTORING = ThreadLocal.withInitial(() -> false);
  /** Ours: the allow-list on a restoring thread, no opinion anywhere else. */
  private static final ObjectInputFilter PER_THREAD = info -> RESTORING.get() ? ALLOW_LIST.checkInput(info) : ObjectInputFilter.Status.UNDECIDED;
  private static final String INSTALL_FAILURE = install();

  private RestoreFilter() {}

  /** @return null once installed, else why it could not be */
  private static synchronized String install() {
    String factory = ObjectInputFilter.Config.getSerialFilterFactory().getClass().getName();
    if (!factory.startsWith("java.io.ObjectInputFilter$Config$")) {
      return "a custom serial filter factory (" + factory + ") is installed, which may ignore the JVM-wide filter";
    }
    ObjectInputFilter existing = ObjectInputFilter.Config.getSerialFilter();
    if (existing == PER_THREAD) {
      return null;
    }
    if (existing != null) {
      return "another JVM-wide serial filter is set (jdk.serialFilter: " + existing + "); add this allow-list to it: " + ALLOWED;
    }
    try {
      ObjectInputFilter.Config.setSerialFilter(PER_THREAD);
      return null;
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
  }

  /** Runs {@code restore} with this thread's Java deserialization restricted to {@link #ALLOWED}. */
  public static <T> T restoring(Callable<T> restore) throws Exception {
    if (INSTALL_FAILURE != null) {
      throw new IllegalStateException("cannot restrict Java deserialization, so no model is restored: " + INSTALL_FAILURE);
    }
    RESTORING.set(true);
    try {
      return restore.call();
    } finally {
      RESTORING.set(false);
    }
  }
}

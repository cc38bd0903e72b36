package dev.streamlearn.client;

/**
 * Told by {@link CurrentModel} when the version it serves changes, and when a version it was asked to
 * serve could not be loaded (then the previous version keeps serving). Called on the thread that
 * loaded the version (the follower's, when following): keep it short.
 */
public interface VersionListener {

  /** @param previous the version served until now, or -1 if this is the first */
  void onSwap(long previous, long current);

  /** The version model.current pointed at, or that was asked for, failed to load or verify. */
  default void onLoadFailure(long version, RuntimeException error) {}
}

package dev.tether.tomcat;

import org.apache.tomcat.ContextBind;

/**
 * The {@link ContextBind} of a tunnel's upgrade token: it binds nothing. A tunnel runs no web
 * application code (its handler is the valve's own, loaded by the server's class loader), and a
 * proxied request may have no Context at all (the valve in the {@code <Engine>}, no ROOT
 * application), so there is no application class loader to bind around its callbacks. Tomcat
 * calls a token's {@code ContextBind} only when the token has an {@code InstanceManager}, which a
 * tunnel's has not; this one is there so that no Tomcat version can meet a null.
 *
 * <p>Tomcat 10.1 declares {@code bind(boolean, ClassLoader)} and {@code unbind(boolean,
 * ClassLoader)}; Tomcat 11 adds {@code bind(ClassLoader)} and {@code unbind(ClassLoader)} and
 * deprecates the others. The class is compiled against 10.1 and implements all four, so the JVM
 * finds whichever the running Tomcat calls.
 */
final class DetachedContextBind implements ContextBind {
  static final DetachedContextBind INSTANCE = new DetachedContextBind();

  private DetachedContextBind() {}

  /** Tomcat 11's signature: no class loader change, so null (nothing to restore). */
  public ClassLoader bind(ClassLoader originalClassLoader) {
    return null;
  }

  /** Tomcat 11's signature: nothing was changed, nothing to restore. */
  public void unbind(ClassLoader originalClassLoader) {
    // Nothing was bound.
  }

  @Override
  public ClassLoader bind(boolean usePrivilegedAction, ClassLoader originalClassLoader) {
    return null;
  }

  @Override
  public void unbind(boolean usePrivilegedAction, ClassLoader originalClassLoader) {
    // Nothing was bound.
  }
}

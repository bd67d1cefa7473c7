package dev.tether.jetty;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;

/**
 * Pooled buffers for the upgrade relay, on Jetty 12.1 and 12.0 alike. {@code ByteBufferPool.acquire}
 * returns {@code RetainableByteBuffer.Mutable} on 12.1 and {@code RetainableByteBuffer} on 12.0, so
 * a direct call compiled against one throws {@link NoSuchMethodError} on the other; the method is
 * looked up once by name and called through a handle typed for both.
 */
final class Buffers {
  private static final MethodHandle ACQUIRE;

  static {
    try {
      ACQUIRE = MethodHandles.publicLookup()
          .unreflect(ByteBufferPool.class.getMethod("acquire", int.class, boolean.class))
          .asType(MethodType.methodType(RetainableByteBuffer.class, ByteBufferPool.class,
              int.class, boolean.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Buffers() {}

  /** A pooled buffer of at least {@code size} bytes, empty and in flush mode. */
  static RetainableByteBuffer acquire(ByteBufferPool pool, int size, boolean direct) {
    try {
      return (RetainableByteBuffer) ACQUIRE.invokeExact(pool, size, direct);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}

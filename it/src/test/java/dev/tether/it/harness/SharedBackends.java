package dev.tether.it.harness;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Three demo backends ({@code b1}, {@code b2}, {@code b3}) started once per test run and shared by
 * every container and scenario that does not stop one. Injected as a parameter by this class
 * registered as an extension; kept in the root store, which closes it when the run ends.
 */
public final class SharedBackends implements AutoCloseable {

  private final List<Backend> backends;

  private SharedBackends(List<Backend> backends) {
    this.backends = backends;
  }

  /** The backends, in configuration order. */
  public List<Backend> all() {
    return backends;
  }

  /** {@code endpoints} as Tether reads it: {@code ip:port,ip:port,...}. */
  public String endpoints() {
    return endpoints(backends);
  }

  /** {@code endpoints} for the given backends. */
  public static String endpoints(List<Backend> backends) {
    return backends.stream().map(Backend::address).collect(Collectors.joining(","));
  }

  /** Instance name to address. */
  public Map<String, String> addressByName() {
    return backends.stream().collect(Collectors.toMap(Backend::name, Backend::address));
  }

  /** Address to instance name. */
  public Map<String, String> nameByAddress() {
    return backends.stream().collect(Collectors.toMap(Backend::address, Backend::name));
  }

  /** The backend named {@code name}. */
  public Backend byName(String name) {
    return backends.stream().filter(b -> b.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no backend named " + name));
  }

  @Override
  public void close() {
    backends.forEach(Backend::close);
  }

  /** The JUnit extension that starts the shared backends on first use and injects them. */
  public static final class Extension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(SharedBackends.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == SharedBackends.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      Function<Class<?>, SharedBackends> start =
          key -> new SharedBackends(Backend.startAll(List.of("b1", "b2", "b3")));
      return context.getRoot().getStore(NAMESPACE)
          .getOrComputeIfAbsent(SharedBackends.class, start, SharedBackends.class);
    }
  }
}

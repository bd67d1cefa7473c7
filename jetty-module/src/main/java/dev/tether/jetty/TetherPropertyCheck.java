package dev.tether.jetty;

import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.xml.ConfigurationProcessor;
import org.eclipse.jetty.xml.ConfigurationProcessorFactory;
import org.eclipse.jetty.xml.XmlConfiguration;
import org.eclipse.jetty.xml.XmlParser;

/**
 * What {@code etc/tether-check.xml} (root element {@code <TetherPropertyCheck/>}) does: refuses a
 * {@code tether.*} property that is not a Tether key, before {@code etc/tether.xml} runs.
 *
 * <p>Why a processor of its own: Jetty XML reads properties one {@code <Property name=...>} at a
 * time and has no element that lists them, so {@code etc/tether.xml} can only pass on the keys it
 * names. start.jar, however, hands Jetty XML every property of the base (its temporary properties
 * file, given to {@code XmlConfiguration.main}, which copies it into each file's
 * {@link XmlConfiguration#getProperties()}), and a file whose root element is not
 * {@code <Configure>} is given to the {@link ConfigurationProcessorFactory} that claims it,
 * found through {@link java.util.ServiceLoader} on the server class path, where the module's
 * {@code [lib]} puts Tether's jar. Both hold in Jetty 12.0 and 12.1. The processor reads the
 * properties when the file is configured (they are set after the file is parsed).
 */
public final class TetherPropertyCheck implements ConfigurationProcessorFactory {
  /** The root element this factory claims. */
  static final String TAG = "TetherPropertyCheck";

  @Override
  public ConfigurationProcessor getConfigurationProcessor(String dtd, String tag) {
    return TAG.equals(tag) ? new Processor() : null;
  }

  private static final class Processor implements ConfigurationProcessor {
    private XmlConfiguration configuration;

    @Override
    public void init(Resource resource, XmlParser.Node root, XmlConfiguration configuration) {
      this.configuration = configuration;
    }

    @Override
    public Object configure(Object obj) {
      return configure();
    }

    /**
     * @return null: the check makes nothing for start.jar to start
     * @throws dev.tether.core.ConfigException naming the unknown property
     */
    @Override
    public Object configure() {
      Settings.checkProperties(configuration.getProperties());
      return null;
    }
  }
}

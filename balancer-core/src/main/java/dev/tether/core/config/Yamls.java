package dev.tether.core.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The one way configuration files are read as YAML (a DestinationRule, an endpoints file; JSON
 * is YAML): plain data only ({@link SafeConstructor}: no class is ever instantiated from a
 * file), a duplicate key is an error rather than a silent override, and aliases are capped so
 * that a small file cannot expand into a huge document.
 */
final class Yamls {
  /** More than any DestinationRule or endpoints file needs; a "billion laughs" needs far more. */
  static final int MAX_ALIASES = 10;

  private Yamls() {}

  /** A new loader: {@link Yaml} is not thread-safe, so each read takes its own. */
  static Yaml loader() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    return new Yaml(new SafeConstructor(options));
  }
}

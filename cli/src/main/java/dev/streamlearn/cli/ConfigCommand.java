package dev.streamlearn.cli;

import dev.streamlearn.core.StreamlearnConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "config", mixinStandardHelpOptions = true,
    description = {"Show the effective configuration (secrets hidden), or with --markdown the reference table of every setting",
        "(the README's table is this output, checked by a test)."})
public final class ConfigCommand implements Callable<Integer> {

  @Mixin ConfigOptions options;

  @Option(names = "--markdown", description = "Print every setting with its default and documentation as a Markdown table.")
  boolean markdown;

  @Override
  public Integer call() {
    if (markdown) {
      System.out.print(markdownTable());
      return 0;
    }
    StreamlearnConfig c = options.config();
    for (ConfigDef.ConfigKey k : StreamlearnConfig.DEF.configKeys().values()) {
      Object v = c.values().get(k.name);
      String shown = StreamlearnConfig.isSecret(k.name) ? (v == null || v.toString().isEmpty() ? "" : "[hidden]") : String.valueOf(v);
      System.out.printf("%-36s %s%n", k.name, shown);
    }
    for (Map.Entry<String, String> e : c.describe().entrySet()) {
      if (e.getKey().startsWith("kafka.")) {
        System.out.printf("%-36s %s%n", e.getKey(), e.getValue());
      }
    }
    return 0;
  }

  public static String markdownTable() {
    StringBuilder sb = new StringBuilder("| setting | default | description |\n|---|---|---|\n");
    for (ConfigDef.ConfigKey k : StreamlearnConfig.DEF.configKeys().values()) {
      Object d = k.defaultValue;
      String def = d == null ? "" : d instanceof java.util.List<?> l ? String.join(",", l.stream().map(String::valueOf).toList()) : String.valueOf(d);
      if (k.type == ConfigDef.Type.PASSWORD) {
        def = "";
      }
      String doc = k.documentation + (k.validator != null ? " (" + k.validator + ")" : "");
      sb.append("| `").append(k.name).append("` | `").append(def.isEmpty() ? " " : def).append("` | ").append(doc.replace("|", "\\|")).append(" |\n");
    }
    return sb.toString();
  }
}

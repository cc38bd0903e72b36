package dev.streamlearn.streams;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.ObjectName;

/**
 * The figures of {@code streamlearn stats} as JMX attributes ({@code dev.streamlearn:type=Pipeline}),
 * for the same tooling that already scrapes Kafka's own JMX metrics: raw, clean, duplicates, dlq,
 * dlq.REASON, train, eval, synthetic, class.LABEL, train_class.LABEL, reconciles.
 */
public final class PipelineMetrics implements DynamicMBean {

  private volatile Map<String, Object> values = new TreeMap<>();

  public static PipelineMetrics register() {
    PipelineMetrics m = new PipelineMetrics();
    try {
      ObjectName name = new ObjectName("dev.streamlearn:type=Pipeline");
      var server = ManagementFactory.getPlatformMBeanServer();
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
      server.registerMBean(m, name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot register the pipeline MBean: " + e.getMessage(), e);
    }
    return m;
  }

  public void update(PipelineReport r) {
    Map<String, Object> v = new TreeMap<>();
    v.put("raw", r.raw());
    v.put("clean", r.clean());
    v.put("duplicates", r.duplicates());
    v.put("dlq", r.dlqTotal());
    r.dlq().forEach((k, n) -> v.put("dlq." + k, n));
    v.put("train", r.train());
    v.put("eval", r.eval());
    v.put("synthetic", r.synthetic());
    r.classes().forEach((k, n) -> v.put("class." + k, n));
    r.trainClasses().forEach((k, n) -> v.put("train_class." + k, n));
    v.put("reconciles", r.reconciles());
    values = v;
  }

  @Override
  public Object getAttribute(String attribute) {
    return values.get(attribute);
  }

  @Override
  public void setAttribute(Attribute attribute) {
    throw new UnsupportedOperationException("read-only");
  }

  @Override
  public AttributeList getAttributes(String[] attributes) {
    AttributeList list = new AttributeList();
    for (String a : attributes) {
      if (values.containsKey(a)) {
        list.add(new Attribute(a, values.get(a)));
      }
    }
    return list;
  }

  @Override
  public AttributeList setAttributes(AttributeList attributes) {
    return new AttributeList();
  }

  @Override
  public Object invoke(String actionName, Object[] params, String[] signature) {
    throw new UnsupportedOperationException(actionName);
  }

  @Override
  public MBeanInfo getMBeanInfo() {
    MBeanAttributeInfo[] attrs = values.entrySet().stream()
        .map(e -> new MBeanAttributeInfo(e.getKey(), e.getValue() instanceof Boolean ? "boolean" : "long", e.getKey(), true, false, false))
        .toArray(MBeanAttributeInfo[]::new);
    return new MBeanInfo(getClass().getName(), "streamlearn pipeline counts (reconciled)", attrs, null, null, null);
  }
}

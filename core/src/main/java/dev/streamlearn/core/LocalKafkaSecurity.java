package dev.streamlearn.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The locally generated security material of a {@code --secure} local broker, kept in
 * {@code <local.kafka.dir>/secure}: a CA that exists only long enough to sign the broker's
 * certificate (its key is deleted, so nothing else can ever be signed), the broker's PKCS12
 * keystore, the CA certificate clients trust, and one random SCRAM-SHA-512 password per principal.
 * Every secret file is mode 600. Clients get one properties file per principal, usable as
 * {@code streamlearn --config}.
 */
public final class LocalKafkaSecurity {

  /** The broker's own principal on the SASL listener; a super user (inter-broker traffic, creating ACLs). */
  public static final String ADMIN = "admin";
  /** The principal of the broker's certificate, seen by the controller listener (mutual TLS). */
  public static final String BROKER_CERT_PRINCIPAL = "CN=streamlearn-broker";
  public static final String MECHANISM = "SCRAM-SHA-512";

  private static final String CREDENTIALS = "credentials.properties";
  private static final String KEYSTORE_PASSWORD = "keystore.password";

  private final Path dir;

  public LocalKafkaSecurity(Path kafkaDir) {
    this.dir = kafkaDir.toAbsolutePath().resolve("secure");
  }

  public Path dir() {
    return dir;
  }

  public boolean exists() {
    return Files.exists(dir.resolve(CREDENTIALS));
  }

  public Path brokerKeystore() {
    return dir.resolve("broker.p12");
  }

  /** The CA certificate (PEM): the trust anchor of every client. */
  public Path caCertificate() {
    return dir.resolve("ca.pem");
  }

  public Path clientProperties(String principal) {
    return dir.resolve(principal + ".properties");
  }

  /** Generates the CA, the broker's keystore and the passwords, unless they exist already. */
  public void ensure() throws IOException, InterruptedException {
    if (exists()) {
      return;
    }
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Properties creds = new Properties();
    creds.setProperty(KEYSTORE_PASSWORD, randomSecret());
    creds.setProperty(ADMIN, randomSecret());
    for (String principal : PipelineAcls.PRINCIPALS) {
      creds.setProperty(principal, randomSecret());
    }
    generateCertificates(creds.getProperty(KEYSTORE_PASSWORD));
    Path tmp = dir.resolve(CREDENTIALS + ".tmp");
    writeSecret(tmp, out -> creds.store(out, "streamlearn local broker credentials: keep private"));
    Files.move(tmp, dir.resolve(CREDENTIALS), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Writes one client properties file per principal (mode 600); returns their paths by principal. */
  public Map<String, Path> writeClientProperties(String bootstrap, String topicPrefix) throws IOException {
    Map<String, Path> out = new LinkedHashMap<>();
    List<String> principals = new ArrayList<>(PipelineAcls.PRINCIPALS);
    principals.add(ADMIN);
    for (String principal : principals) {
      Map<String, String> p = new TreeMap<>(clientSettings(principal));
      p.put(StreamlearnConfig.BOOTSTRAP, bootstrap);
      if (!topicPrefix.isEmpty()) {
        p.put(StreamlearnConfig.TOPIC_PREFIX, topicPrefix); // the ACLs name this prefix's topics
      }
      StringBuilder text = new StringBuilder("# streamlearn client settings for principal '" + principal + "' on the local secured broker.\n");
      p.forEach((k, v) -> text.append(k).append('=').append(escape(v)).append('\n'));
      Path file = clientProperties(principal);
      writeSecret(file, o -> o.write(text.toString().getBytes(StandardCharsets.UTF_8)));
      out.put(principal, file);
    }
    return out;
  }

  /** Kafka client settings (without bootstrap) authenticating as {@code principal}. */
  public Map<String, String> clientSettings(String principal) throws IOException {
    return clientSettings(principal, password(principal));
  }

  /** Client settings with an arbitrary password: for showing that a wrong one is refused. */
  public Map<String, String> clientSettings(String principal, String password) {
    Map<String, String> p = new TreeMap<>();
    p.put("security.protocol", "SASL_SSL");
    p.put("sasl.mechanism", MECHANISM);
    p.put("sasl.jaas.config", jaas(principal, password));
    p.put("ssl.truststore.type", "PEM");
    p.put("ssl.truststore.location", caCertificate().toString());
    return p;
  }

  /** The broker settings securing a client listener named {@code listener} and the controller listener. */
  public List<String> brokerSettings(String listener, String controllerListener) throws IOException {
    String ks = credentials().getProperty(KEYSTORE_PASSWORD);
    String l = listener.toLowerCase(java.util.Locale.ROOT);
    return List.of(
        "# Clients: TLS + SASL/SCRAM-SHA-512. Controller: mutual TLS with the broker's own certificate.",
        "listener.security.protocol.map=" + listener + ":SASL_SSL," + controllerListener + ":SSL",
        "sasl.enabled.mechanisms=" + MECHANISM,
        "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
        "listener.name." + l + "." + MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config=" + jaas(ADMIN, password(ADMIN)),
        "listener.name." + controllerListener.toLowerCase(java.util.Locale.ROOT) + ".ssl.client.auth=required",
        "ssl.keystore.type=PKCS12",
        "ssl.keystore.location=" + brokerKeystore(),
        "ssl.keystore.password=" + ks,
        "ssl.key.password=" + ks,
        "ssl.truststore.type=PEM",
        "ssl.truststore.location=" + caCertificate(),
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users=User:" + ADMIN + ";User:" + BROKER_CERT_PRINCIPAL,
        "allow.everyone.if.no.acl.found=false");
  }

  /** StorageTool arguments creating every principal's SCRAM credential in the first metadata. */
  public List<String> formatArguments() throws IOException {
    Properties creds = credentials();
    List<String> args = new ArrayList<>();
    for (String principal : creds.stringPropertyNames()) {
      if (!principal.equals(KEYSTORE_PASSWORD)) {
        args.add("--add-scram");
        args.add(MECHANISM + "=[name=" + principal + ",password=" + creds.getProperty(principal) + "]");
      }
    }
    return args;
  }

  private String password(String principal) throws IOException {
    String p = credentials().getProperty(principal);
    if (p == null) {
      throw new IllegalArgumentException("no credentials for principal '" + principal + "' in " + dir.resolve(CREDENTIALS));
    }
    return p;
  }

  private Properties credentials() throws IOException {
    Properties p = new Properties();
    try (var in = Files.newInputStream(dir.resolve(CREDENTIALS))) {
      p.load(in);
    }
    return p;
  }

  private void generateCertificates(String storePassword) throws IOException, InterruptedException {
    Path ca = dir.resolve("ca.p12");
    Path csr = dir.resolve("broker.csr");
    Path signed = dir.resolve("broker.pem");
    Files.deleteIfExists(brokerKeystore());
    Files.deleteIfExists(ca);
    keytool(storePassword, "-genkeypair", "-keystore", ca.toString(), "-alias", "ca", "-dname", "CN=streamlearn local CA",
        "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650", "-ext", "bc:c");
    keytool(storePassword, "-genkeypair", "-keystore", brokerKeystore().toString(), "-alias", "broker", "-dname", BROKER_CERT_PRINCIPAL,
        "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650");
    keytool(storePassword, "-certreq", "-keystore", brokerKeystore().toString(), "-alias", "broker", "-file", csr.toString());
    // Clients verify the host name: the broker's certificate names the loopback address it listens on.
    keytool(storePassword, "-gencert", "-keystore", ca.toString(), "-alias", "ca", "-infile", csr.toString(), "-outfile", signed.toString(), "-rfc",
        "-validity", "3650", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "EKU=serverAuth,clientAuth");
    keytool(storePassword, "-exportcert", "-keystore", ca.toString(), "-alias", "ca", "-rfc", "-file", caCertificate().toString());
    keytool(storePassword, "-importcert", "-keystore", brokerKeystore().toString(), "-alias", "ca", "-file", caCertificate().toString(), "-noprompt");
    keytool(storePassword, "-importcert", "-keystore", brokerKeystore().toString(), "-alias", "broker", "-file", signed.toString(), "-noprompt");
    Files.setPosixFilePermissions(brokerKeystore(), PosixFilePermissions.fromString("rw-------"));
    Files.delete(ca); // nothing else may ever be signed by this CA
    Files.delete(csr);
    Files.delete(signed);
  }

  /** Runs the JDK's keytool; the store password travels in the environment, never on a command line. */
  private void keytool(String storePassword, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storetype", "PKCS12", "-storepass:env", "STREAMLEARN_KEYSTORE_PASSWORD"));
    if (List.of(args).contains("-genkeypair")) {
      cmd.addAll(List.of("-keypass:env", "STREAMLEARN_KEYSTORE_PASSWORD"));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("STREAMLEARN_KEYSTORE_PASSWORD", storePassword);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("keytool " + args[0] + " failed: " + output.strip());
    }
  }

  private static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
  }

  /** Hex: safe inside JAAS quotes, StorageTool's bracket syntax and properties files. */
  private static String randomSecret() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\");
  }

  private interface Writer {
    void write(java.io.OutputStream out) throws IOException;
  }

  /** Creates the file mode 600 before any byte is written, so no secret is ever readable by others. */
  private static void writeSecret(Path file, Writer w) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (var out = Files.newOutputStream(file)) {
      w.write(out);
    }
  }
}

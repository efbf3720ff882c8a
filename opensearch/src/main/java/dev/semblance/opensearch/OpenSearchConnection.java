package dev.semblance.opensearch;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * A connection to an OpenSearch cluster as a server makes one: an address ({@code http} or {@code
 * https}), optionally a user and password (HTTP basic, as the security plugin takes them) and a CA
 * certificate to trust for TLS besides the JVM's own.
 *
 * <pre>{@code
 * try (OpenSearchConnection cluster =
 *         OpenSearchConnection.to(URI.create("https://search.internal:9200"))
 *             .credentials("semblance", password)
 *             .trustedCertificate(Path.of("ca.pem"))
 *             .open();
 *     Gallery staff = OpenSearchGallery.builder(cluster.client(), "staff").embedder(encoder).open()) {
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> The connection and its client are safe for concurrent use; builders are
 * not thread-safe.
 */
public final class OpenSearchConnection implements AutoCloseable {
  private final URI address;
  private final OpenSearchTransport transport;
  private final OpenSearchClient client;

  private OpenSearchConnection(URI address, OpenSearchTransport transport) {
    this.address = address;
    this.transport = transport;
    this.client = new OpenSearchClient(transport);
  }

  /** Starts describing a connection to the cluster at {@code address}, e.g. http://host:9200. */
  public static Builder to(URI address) {
    return new Builder(address);
  }

  /** The client, for {@link OpenSearchGallery#builder}; closed with this connection. */
  public OpenSearchClient client() {
    return client;
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the connection to " + address, e);
    }
  }

  @Override
  public String toString() {
    return "OpenSearchConnection[" + address + "]";
  }

  /**
   * How to reach the cluster.
   *
   * <p><b>Thread safety.</b> Not thread-safe.
   */
  public static final class Builder {
    private final URI address;
    private String user;
    private String password;
    private Path certificate;

    private Builder(URI address) {
      Objects.requireNonNull(address, "address");
      checkArgument(
          ("http".equals(address.getScheme()) || "https".equals(address.getScheme()))
              && address.getHost() != null,
          "an OpenSearch address is http://HOST:PORT or https://HOST:PORT, not '%s'",
          address);
      checkArgument(
          address.getUserInfo() == null,
          "give credentials with credentials(user, password), not in the address");
      this.address = address;
    }

    /** A user and password for HTTP basic authentication. */
    public Builder credentials(String user, String password) {
      this.user = Objects.requireNonNull(user, "user");
      this.password = Objects.requireNonNull(password, "password");
      checkArgument(!user.isEmpty(), "empty user name");
      return this;
    }

    /**
     * A PEM file of the CA certificate(s) that signed the cluster's TLS certificate, trusted
     * instead of the JVM's default authorities (an {@code https} address only).
     */
    public Builder trustedCertificate(Path pemFile) {
      this.certificate = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /**
     * Makes the client; nothing is sent until it is used.
     *
     * @throws IllegalArgumentException if the certificate file cannot be read or holds no
     *     certificate, or one is given for an {@code http} address
     */
    public OpenSearchConnection open() {
      boolean tls = address.getScheme().equals("https");
      checkArgument(
          certificate == null || tls,
          "a CA certificate is for an https address; %s is plain http",
          address);
      int port = address.getPort() > 0 ? address.getPort() : 9200;
      SSLContext ssl = certificate == null ? null : sslTrusting(certificate);
      ApacheHttpClient5TransportBuilder transport =
          ApacheHttpClient5TransportBuilder.builder(
                  new HttpHost(address.getScheme(), address.getHost(), port))
              .setMapper(new JacksonJsonpMapper());
      String prefix = address.getPath();
      if (prefix != null && !prefix.isEmpty() && !prefix.equals("/")) {
        transport.setPathPrefix(prefix);
      }
      transport.setHttpClientConfigCallback(
          http -> {
            if (user != null) {
              BasicCredentialsProvider credentials = new BasicCredentialsProvider();
              credentials.setCredentials(
                  new AuthScope(address.getHost(), port),
                  new UsernamePasswordCredentials(user, password.toCharArray()));
              http.setDefaultCredentialsProvider(credentials);
            }
            if (ssl != null) {
              http.setConnectionManager(
                  PoolingAsyncClientConnectionManagerBuilder.create()
                      .setTlsStrategy(ClientTlsStrategyBuilder.create().setSslContext(ssl).build())
                      .build());
            }
            return http;
          });
      return new OpenSearchConnection(address, transport.build());
    }

    private static SSLContext sslTrusting(Path pemFile) {
      try (InputStream in = Files.newInputStream(pemFile)) {
        Collection<? extends Certificate> certificates =
            CertificateFactory.getInstance("X.509").generateCertificates(in);
        checkArgument(!certificates.isEmpty(), "no certificate in %s", pemFile);
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int n = 0;
        for (Certificate c : certificates) {
          trusted.setCertificateEntry("ca-" + n++, c);
        }
        TrustManagerFactory trust =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust.getTrustManagers(), null);
        return ssl;
      } catch (CertificateException e) {
        throw new IllegalArgumentException(
            pemFile + " is not a PEM certificate: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read certificate " + pemFile + ": " + e, e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("the JVM cannot set up TLS: " + e, e);
      }
    }
  }
}

package dev.parley.transport.tcp;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate and its key, made by the JDK's own {@code keytool} (the JDK has no
 * API to issue certificates) and written as PEM files, so tests read them the way a user's files
 * are read. For tests in this module and, through its test-jar, in others.
 *
 * @param certificate the certificate, {@code -----BEGIN CERTIFICATE-----}
 * @param privateKey  its key, PKCS#8 {@code -----BEGIN PRIVATE KEY-----}
 * @param keyStore    both in a PKCS#12 key store, password {@link #PASSWORD}
 */
public record SelfSignedCertificate(Path certificate, Path privateKey, Path keyStore) {

    /** The names a server on this machine is reached by. */
    public static final String LOOPBACK_NAMES = "dns:localhost,ip:127.0.0.1,ip:::1";

    private static final String PASSWORD = "parley-test";
    private static final String ALIAS = "parley";
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    /** An EC certificate for {@link #LOOPBACK_NAMES}, in files under {@code directory}. */
    public static SelfSignedCertificate forLoopback(Path directory) throws IOException {
        return create(directory, "loopback", "EC", LOOPBACK_NAMES);
    }

    /**
     * A certificate with an {@code keyAlgorithm} ("EC" or "RSA") key, for the subject alternative
     * names {@code names} ({@code dns:NAME,ip:ADDRESS,...}), in files under {@code directory}
     * whose names start with {@code name}.
     */
    public static SelfSignedCertificate create(Path directory, String name, String keyAlgorithm, String names)
            throws IOException {
        Path store = directory.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = new ArrayList<>(List.of(keytool, "-genkeypair", "-alias", ALIAS,
                "-keyalg", keyAlgorithm, "-dname", "CN=parley test", "-ext", "SAN=" + names, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (keyAlgorithm.equals("RSA")) {
            command.addAll(List.of("-keysize", "2048"));
        }
        run(command);
        try {
            KeyStore keys = load(store);
            Certificate certificate = keys.getCertificate(ALIAS);
            Key key = keys.getKey(ALIAS, PASSWORD.toCharArray());
            Path certificateFile = write(directory.resolve(name + "-cert.pem"), "CERTIFICATE", certificate.getEncoded());
            Path keyFile = write(directory.resolve(name + "-key.pem"), "PRIVATE KEY", key.getEncoded());
            return new SelfSignedCertificate(certificateFile, keyFile, store);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key store keytool wrote: " + e, e);
        }
    }

    /** An SSL context that presents this certificate and trusts it, and nothing else. */
    public SSLContext presentingAndTrustingItself() throws IOException, GeneralSecurityException {
        KeyStore keys = load(keyStore);
        var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD.toCharArray());
        var trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(keys);
        var context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }

    private static Path write(Path file, String label, byte[] der) throws IOException {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        String pem = "-----BEGIN " + label + "-----\n" + base64 + "\n-----END " + label + "-----\n";
        return Files.writeString(file, pem, StandardCharsets.US_ASCII);
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        }
    }
}

package dev.parley.transport.tcp;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reading certificates and keys from PEM files: what a user may get wrong, each answered by one
 * line that names the file and says what is wrong with it.
 */
class TcpTlsPemTest {

    @TempDir
    static Path directory;

    private static SelfSignedCertificate ec;
    private static SelfSignedCertificate otherEc;
    private static SelfSignedCertificate rsa;

    @BeforeAll
    static void makeCertificates() throws IOException {
        ec = SelfSignedCertificate.forLoopback(directory);
        otherEc = SelfSignedCertificate.create(directory, "other", "EC", SelfSignedCertificate.LOOPBACK_NAMES);
        rsa = SelfSignedCertificate.create(directory, "rsa", "RSA", SelfSignedCertificate.LOOPBACK_NAMES);
    }

    @Test
    void readsEcAndRsaKeysWithTheirCertificatesAndTrustFromACertificate() throws IOException {
        assertThat(TcpTls.server(ec.certificate(), ec.privateKey())).isNotNull();
        assertThat(TcpTls.server(rsa.certificate(), rsa.privateKey())).isNotNull();
        assertThat(TcpTls.client(ec.certificate())).isNotNull();
    }

    @Test
    void trustsEveryCertificateInOneFile() throws Exception {
        Path both = directory.resolve("both.pem");
        Files.writeString(both, Files.readString(ec.certificate()) + Files.readString(rsa.certificate()));

        assertThat(PemFiles.readCertificates(both, "TLS trust file")).hasSize(2);
        assertThat(TcpTls.client(both)).isNotNull();
    }

    @Test
    void saysAFileDoesNotExist() {
        Path missing = directory.resolve("missing.pem");

        assertOneLine(() -> TcpTls.server(missing, ec.privateKey()),
                "TLS certificate file " + missing + " does not exist");
        assertOneLine(() -> TcpTls.server(ec.certificate(), missing),
                "TLS private key file " + missing + " does not exist");
        assertOneLine(() -> TcpTls.client(missing), "TLS trust file " + missing + " does not exist");
    }

    @Test
    void saysADirectoryCannotBeRead() {
        assertOneLine(() -> TcpTls.client(directory), "TLS trust file " + directory + " cannot be read: ");
    }

    @Test
    void saysAFileIsNotPem() throws IOException {
        Path binary = Files.write(directory.resolve("cert.der"), new byte[] {0x30, (byte) 0x82, 0x01, 0x0a});

        assertOneLine(() -> TcpTls.client(binary),
                "TLS trust file " + binary + " is not a PEM file (no -----BEGIN CERTIFICATE----- line)");
    }

    @Test
    void saysWhichFileIsWhichWhenTheyAreSwapped() {
        assertOneLine(() -> TcpTls.server(ec.privateKey(), ec.certificate()),
                "TLS certificate file " + ec.privateKey() + " has no -----BEGIN CERTIFICATE----- block");
        assertOneLine(() -> TcpTls.server(ec.certificate(), ec.certificate()),
                "TLS private key file " + ec.certificate() + " must hold exactly one -----BEGIN PRIVATE KEY----- block, found 0");
    }

    @Test
    void saysHowToConvertAKeyThatIsNotPkcs8() throws IOException {
        Path pkcs1 = Files.writeString(directory.resolve("pkcs1.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n", StandardCharsets.US_ASCII);

        assertOneLine(() -> TcpTls.server(rsa.certificate(), pkcs1),
                "TLS private key file " + pkcs1 + " holds a PKCS#1 RSA key; convert it to PKCS#8"
                        + " (-----BEGIN PRIVATE KEY-----) with 'openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW'");
    }

    @Test
    void saysAKeyDoesNotBelongToTheCertificate() {
        assertOneLine(() -> TcpTls.server(ec.certificate(), otherEc.privateKey()),
                "TLS private key file " + otherEc.privateKey() + " does not belong to the certificate CN=parley test");
        assertOneLine(() -> TcpTls.server(ec.certificate(), rsa.privateKey()),
                "TLS private key file " + rsa.privateKey() + " does not hold an EC key, as the certificate's public key is");
    }

    @Test
    void saysACertificateIsDamaged() throws IOException {
        String pem = Files.readString(ec.certificate());
        Path damaged = Files.writeString(directory.resolve("damaged.pem"), pem.replace(pem.substring(40, 60), "AAAAAAAAAAAAAAAAAAAA"));

        assertOneLine(() -> TcpTls.client(damaged), "TLS trust file " + damaged + " holds a certificate that cannot be read");
    }

    private static void assertOneLine(ThrowingSupplier<TcpTls> loading, String expectedStart) {
        assertThatThrownBy(loading::get)
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(expectedStart)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}

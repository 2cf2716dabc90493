package dev.parley.transport.tcp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files (RFC 7468) with the JDK alone: X.509 certificates ({@code -----BEGIN
 * CERTIFICATE-----}) and unencrypted PKCS#8 private keys ({@code -----BEGIN PRIVATE KEY-----}, RSA
 * or EC), into key stores for {@link TcpTls}. Every failure is an {@link IOException} whose
 * message names the file and says in one line what is wrong with it. Stateless.
 */
final class PemFiles {

    /** Largest PEM file read: far above any certificate chain or key, far below a mistaken log file. */
    static final int MAX_PEM_BYTES = 1 << 20;

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final String CERTIFICATE = "CERTIFICATE";
    private static final String PRIVATE_KEY = "PRIVATE KEY";
    /** Other key formats people have, and the command that turns each into PKCS#8. */
    private static final Map<String, String> CONVERTIBLE_KEYS = Map.of(
            "RSA PRIVATE KEY", "a PKCS#1 RSA key",
            "EC PRIVATE KEY", "an SEC 1 EC key",
            "ENCRYPTED PRIVATE KEY", "an encrypted key");
    /** The key stores are in memory only; their password protects nothing. */
    static final char[] KEY_STORE_PASSWORD = new char[0];

    private PemFiles() {
    }

    /** The certificates in {@code file}, in order; at least one. */
    static List<X509Certificate> readCertificates(Path file, String what) throws IOException {
        List<byte[]> blocks = blocks(file, what, CERTIFICATE);
        if (blocks.isEmpty()) {
            throw new IOException(what + " " + file + " has no -----BEGIN " + CERTIFICATE + "----- block");
        }
        var certificates = new ArrayList<X509Certificate>();
        try {
            var factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IOException(what + " " + file + " holds a certificate that cannot be read: " + e.getMessage(), e);
        }
        return certificates;
    }

    /**
     * The PKCS#8 private key in {@code file}, which must belong to {@code certificate}: a key that
     * does not would otherwise fail only at the first handshake, with a cryptic error.
     */
    static PrivateKey readPrivateKey(Path file, X509Certificate certificate) throws IOException {
        String what = "TLS private key file";
        String text = read(file, what);
        for (var convertible : CONVERTIBLE_KEYS.entrySet()) {
            if (text.contains("-----BEGIN " + convertible.getKey() + "-----")) {
                throw new IOException(what + " " + file + " holds " + convertible.getValue()
                        + "; convert it to PKCS#8 (-----BEGIN PRIVATE KEY-----) with"
                        + " 'openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW'");
            }
        }
        List<byte[]> blocks = blocks(file, text, what, PRIVATE_KEY);
        if (blocks.size() != 1) {
            throw new IOException(what + " " + file + " must hold exactly one -----BEGIN " + PRIVATE_KEY
                    + "----- block, found " + blocks.size());
        }
        PublicKey publicKey = certificate.getPublicKey();
        String algorithm = publicKey.getAlgorithm();
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(blocks.getFirst()));
        } catch (GeneralSecurityException e) {
            throw new IOException(what + " " + file + " does not hold an " + algorithm
                    + " key, as the certificate's public key is: " + e.getMessage(), e);
        }
        if (!belongTogether(key, publicKey)) {
            throw new IOException(what + " " + file + " does not belong to the certificate "
                    + certificate.getSubjectX500Principal().getName());
        }
        return key;
    }

    /** An in-memory key store holding {@code chain} and its {@code key}, for a key manager. */
    static KeyStore keyStore(List<X509Certificate> chain, PrivateKey key) throws GeneralSecurityException, IOException {
        KeyStore store = emptyKeyStore();
        store.setKeyEntry("parley", key, KEY_STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
        return store;
    }

    /** An in-memory key store trusting each of {@code certificates}, for a trust manager. */
    static KeyStore trustStore(List<X509Certificate> certificates) throws GeneralSecurityException, IOException {
        KeyStore store = emptyKeyStore();
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("trusted-" + i, certificates.get(i));
        }
        return store;
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }

    /** Signs a few bytes with {@code key} and checks the signature with {@code publicKey}. */
    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) throws IOException {
        String signatureAlgorithm = switch (publicKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> throw new IOException("unsupported key algorithm " + publicKey.getAlgorithm()
                    + "; use an RSA or EC key");
        };
        byte[] probe = "parley key check".getBytes(StandardCharsets.US_ASCII);
        try {
            var signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            var verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<byte[]> blocks(Path file, String what, String label) throws IOException {
        return blocks(file, read(file, what), what, label);
    }

    /** The decoded contents of every {@code label} block in {@code text}. */
    private static List<byte[]> blocks(Path file, String text, String what, String label) throws IOException {
        var blocks = new ArrayList<byte[]>();
        Matcher matcher = BLOCK.matcher(text);
        while (matcher.find()) {
            if (!matcher.group(1).equals(label)) {
                continue;
            }
            try {
                blocks.add(Base64.getMimeDecoder().decode(matcher.group(2)));
            } catch (IllegalArgumentException e) {
                throw new IOException(what + " " + file + " has a " + label + " block that is not Base64: "
                        + e.getMessage(), e);
            }
        }
        if (blocks.isEmpty() && !text.contains("-----BEGIN ")) {
            throw new IOException(what + " " + file + " is not a PEM file (no -----BEGIN " + label + "----- line)");
        }
        return blocks;
    }

    private static String read(Path file, String what) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_PEM_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new IOException(what + " " + file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new IOException(what + " " + file + " cannot be read: permission denied", e);
        } catch (IOException e) {
            throw new IOException(what + " " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_PEM_BYTES) {
            throw new IOException(what + " " + file + " is larger than " + MAX_PEM_BYTES
                    + " bytes, so it is not a PEM certificate or key");
        }
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}

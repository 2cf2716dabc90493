package dev.parley.transport.tcp;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one TLS handshake on the calling thread within a deadline, and turns the JDK's failures
 * into one-line messages. The deadline is for the whole handshake, not for each read, so a peer
 * that trickles its handshake a byte at a time is cut off too: when it passes, the JDK's timer
 * thread resets the TCP socket under the TLS one (never the TLS socket, whose close could wait for
 * the handshaking thread), which wakes the handshake with an exception. Stateless.
 */
final class TlsHandshake {

    private TlsHandshake() {
    }

    /**
     * Runs {@code tls}'s handshake over {@code tcp}, the socket under it, and returns {@code tls};
     * on failure resets {@code tcp} and throws. The handshake must finish by {@code deadline}
     * ({@link System#nanoTime()}), which {@code connectTimeout} set.
     *
     * @throws SocketTimeoutException if the handshake did not finish by the deadline
     * @throws ConnectException       if {@code peer} closed or reset the connection during it
     * @throws SSLHandshakeException  if TLS failed: an untrusted certificate, one that does not
     *                                name the host, no protocol in common, a peer not speaking TLS
     */
    static SSLSocket run(SSLSocket tls, Socket tcp, SocketAddress peer, Duration connectTimeout, long deadline)
            throws IOException {
        var finished = new CompletableFuture<Void>();
        finished.orTimeout(Math.max(deadline - System.nanoTime(), 0), TimeUnit.NANOSECONDS).exceptionally(expired -> {
            TcpListener.reset(tcp);
            return null;
        });
        try {
            tls.startHandshake();
        } catch (IOException e) {
            boolean timedOut = !finished.complete(null);
            TcpListener.reset(tcp);
            throw timedOut ? timedOut(peer, connectTimeout, e) : explain(e, peer);
        } catch (RuntimeException e) {
            finished.complete(null);
            TcpListener.reset(tcp);
            throw e;
        }
        if (!finished.complete(null)) {
            // The deadline passed as the handshake finished, and has reset the socket.
            throw timedOut(peer, connectTimeout, null);
        }
        return tls;
    }

    private static SocketTimeoutException timedOut(SocketAddress peer, Duration timeout, Throwable cause) {
        var e = new SocketTimeoutException("TLS handshake with " + peer
                + " did not finish within the connect timeout of " + timeout);
        e.initCause(cause);
        return e;
    }

    private static IOException explain(IOException e, SocketAddress peer) {
        String prefix = "TLS handshake with " + peer + " failed: ";
        IOException explained;
        if (has(e, CertPathBuilderException.class) || has(e, CertPathValidatorException.class)) {
            explained = new SSLHandshakeException(prefix + "the server's certificate is not trusted: " + rootMessage(e));
        } else if (has(e, CertificateException.class)) {
            explained = new SSLHandshakeException(prefix + "the server's certificate was refused: " + rootMessage(e));
        } else if (e instanceof SocketException || has(e, EOFException.class)) {
            explained = new ConnectException(peer + " closed the connection during the TLS handshake"
                    + " (at its connection limit, or not speaking TLS?): " + rootMessage(e));
        } else if (e instanceof SSLException) {
            explained = new SSLHandshakeException(prefix + rootMessage(e));
        } else {
            return e;
        }
        explained.initCause(e);
        return explained;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The message of the innermost cause that has one: the JDK's outer ones repeat it with class names. */
    private static String rootMessage(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }
}

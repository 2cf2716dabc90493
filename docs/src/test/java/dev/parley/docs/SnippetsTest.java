package dev.parley.docs;

import dev.parley.chaos.ChaosOptions;
import dev.parley.chaos.ChaosServer;
import dev.parley.chaos.History;
import dev.parley.chaos.Verdict;
import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import dev.parley.transport.udp.UdpTransport;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The READMEs' shorter snippets, each run where it needs something around it. */
class SnippetsTest {

    private static SocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Test
    void theImClientSnippetComesOnlineAndInvitesBob() throws Exception {
        try (ImServer im = ImServer.start(Transport.byName("tcp"), loopback(), ServerOptions.defaults())) {
            SocketAddress server = im.localAddress();
            CompletableFuture<Invitation> bobsInvitation = new CompletableFuture<>();
            try (ImClient bob = ImClient.connect(Transport.byName("tcp"), server, new ImListener() {
                @Override
                public void onInvitation(Invitation invitation) {
                    bobsInvitation.complete(invitation);
                }
            })) {
                bob.register("bob", "online").get(5, TimeUnit.SECONDS);
                // snippet readme-im-client
                ImClient client = ImClient.connect(Transport.byName("tcp"), server, new ImListener() {
                    @Override
                    public void onMessage(Message m) {
                        System.out.println(m.sender() + ": " + m.text());
                    }
                });
                client.register("alice", "online").get(5, TimeUnit.SECONDS);
                client.invite("bob");
                // end snippet
                try (client) {
                    assertThat(bobsInvitation.get(5, TimeUnit.SECONDS).inviter()).isEqualTo("alice");
                }
            }
        }
    }

    @Test
    void theUdpSnippetFindsTheTransportByNameAndTunesAnother() {
        // snippet udp-transport
        Transport udp = Transport.byName("udp");                       // default UdpOptions
        Transport tuned = UdpTransport.create(TransportOptions.defaults(),
                UdpOptions.defaults().toBuilder().maxPacketSize(1400).build());
        // end snippet
        assertThat(udp.name()).isEqualTo("udp");
        assertThat(((UdpTransport) tuned).udpOptions().maxPacketSize()).isEqualTo(1400);
    }

    @Test
    void toxiproxysOwnClientDrivesTheChaosServer() throws Exception {
        try (ChaosServer chaos = ChaosServer.start(ChaosOptions.defaults())) {
            // snippet chaos-toxiproxy-client
            var client = new ToxiproxyClient(chaos.controlAddress().getHostString(), chaos.controlAddress().getPort());
            Proxy proxy = client.createProxy("app", "127.0.0.1:0", "127.0.0.1:6666");
            proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 100).setJitter(50);
            // end snippet
            assertThat(client.getProxy("app").toxics().get("slow").getName()).isEqualTo("slow");
        }
    }

    @Test
    void aHistoryWithEverythingDeliveredOnceInOrderHasNoAnomalies() {
        History history = new History();
        history.sent("carol", 1);
        history.acknowledged("carol", 1);
        history.received("alice", "carol", 1);
        history.received("bob", "carol", 1);
        // snippet chaos-history
        Verdict verdict = history.check(List.of("alice", "bob"));   // who must receive everything
        assertThat(verdict.anomalies()).isEmpty();                  // LOST, DUPLICATED, REORDERED, UNEXPECTED
        // end snippet
    }
}

package dev.parley.chaos.im;

import dev.parley.chaos.ConversationWorkload;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.transport.Transport;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The program {@link KernelPacketLossTest} runs inside its network namespace: an IM server and the
 * conversation workload over the transport named by the first argument, straight over loopback
 * (where nftables drops packets). Prints the verdict and exits 0 if it is valid, 1 if not.
 */
final class KernelLossRun {

    /** Messages every member must receive: 4 users posting 25 each, seen by all 4. */
    static final int DELIVERIES = 4 * 4 * 25;

    private KernelLossRun() {
    }

    public static void main(String[] args) throws Exception {
        Transport transport = Transport.byName(args[0]);
        try (ImServer server = ImServer.start(transport, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.defaults())) {
            var result = new ConversationWorkload(4, 25, 64, Duration.ofSeconds(60))
                    .run(transport, server.localAddress(), "user");
            System.out.println("verdict: " + result.verdict());
            System.out.println("elapsed: " + result.elapsed());
            System.exit(result.verdict().isValid() && result.verdict().delivered() == DELIVERIES ? 0 : 1);
        }
    }
}

package dev.parley.transport.udp;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** The packet size a connection uses, by where its peer is and what the kernel granted its socket. */
class UdpOptionsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** What Linux grants a socket asking for 4 MiB where {@code net.core.rmem_max} is 4 MiB: twice that. */
    private static final int TUNED_BUFFER = 8 << 20;
    /** What Linux grants where {@code net.core.rmem_max} keeps its default of 212,992 bytes: twice that. */
    private static final int DEFAULT_BUFFER = 2 * 212_992;

    private final UdpOptions defaults = UdpOptions.defaults();

    @Test
    void towardsALoopbackPeerPacketsAreTheLoopbackSizeWhereTheReceiveBufferHoldsSixteen() {
        assertThat(defaults.forPeer(LOOPBACK, TUNED_BUFFER).maxPacketSize()).isEqualTo(defaults.loopbackPacketSize());
    }

    @Test
    void aSmallerReceiveBufferKeepsLoopbackPacketsToASixteenthOfIt() {
        assertThat(defaults.forPeer(LOOPBACK, DEFAULT_BUFFER).maxPacketSize()).isEqualTo(DEFAULT_BUFFER / 16);
        assertThat(defaults.forPeer(LOOPBACK, 4_096).maxPacketSize()).isEqualTo(defaults.maxPacketSize());
    }

    @Test
    void loopbackPacketsNeverOutgrowTheWindowsTheOptionsSet() {
        var tight = defaults.toBuilder().receiveWindowBytes(32 * 1024).sendBufferBytes(48 * 1024).build();

        assertThat(tight.forPeer(LOOPBACK, TUNED_BUFFER).maxPacketSize()).isEqualTo(32 * 1024);
    }

    @Test
    void elsewhereOrWithoutALoopbackSizePacketsAreTheMaxPacketSize() throws Exception {
        var remote = InetAddress.getByAddress(new byte[]{(byte) 192, 0, 2, 1});
        assertThat(defaults.forPeer(remote, TUNED_BUFFER).maxPacketSize()).isEqualTo(defaults.maxPacketSize());
        var none = defaults.toBuilder().loopbackPacketSize(0).build();
        assertThat(none.forPeer(LOOPBACK, TUNED_BUFFER).maxPacketSize()).isEqualTo(defaults.maxPacketSize());
    }
}

package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The RESET codes are wire format: each keeps its byte whatever the enum's order. */
class ResetCodeTest {

    /** What peers already deployed send and expect; never change an entry, only add. */
    private static final Map<ResetCode, Integer> ON_THE_WIRE = Map.of(
            ResetCode.ABORTED, 0,
            ResetCode.PROTOCOL_ERROR, 1,
            ResetCode.TIMED_OUT, 2,
            ResetCode.SHUTDOWN, 3,
            ResetCode.OVERLOADED, 4);

    @Test
    void writesEachCodeAsItsFixedByte() throws Exception {
        assertThat(ON_THE_WIRE.keySet()).containsExactlyInAnyOrder(ResetCode.values());
        for (var pinned : ON_THE_WIRE.entrySet()) {
            var writer = new PacketCodec.Writer(1200);
            writer.begin(7, 1);
            writer.reset(pinned.getKey());
            var packet = (Packet.Data) PacketCodec.decode(writer.buffer(), writer.finish());

            int code = ((Frame.Reset) packet.frames().getFirst()).code();
            assertThat(code).as("%s on the wire", pinned.getKey()).isEqualTo(pinned.getValue());
            assertThat(ResetCode.of(code)).isEqualTo(pinned.getKey());
        }
    }

    @Test
    void readsACodeItDoesNotKnowAsAborted() {
        assertThat(ResetCode.of(200)).isEqualTo(ResetCode.ABORTED);
        assertThat(ResetCode.of(-1)).isEqualTo(ResetCode.ABORTED);
    }
}

package dev.parley.transport.udp.internal;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a send stream puts in packets, decoded as the peer would: packets are written here as a
 * session writes them (retransmissions, then new chunks), and acknowledgements and losses are
 * made up.
 */
class SendStreamTest {

    private static final int MAX_PACKET = 1200;
    private static final int MAX_CHUNK_DATA = PacketCodec.maxChunkData(MAX_PACKET);
    private static final long NO_LIMIT = 1L << 40;

    private final SendStream stream = new SendStream(MAX_CHUNK_DATA);
    private long nextPn;

    @Test
    void batchesWholeSmallFramesIntoOneChunkUpToTheRoom() {
        stream.raisePeerByteLimit(NO_LIMIT);
        List<byte[]> frames = frames(10, 40);
        frames.forEach(stream::add);

        Sent first = send(200);

        assertThat(first.frames()).hasSize(1);
        var batch = (Frame.Batch) first.frames().getFirst();
        assertThat(batch.seq()).isZero();
        assertThat(batch.frames().length).as("several whole frames share the chunk").isGreaterThan(1);
        assertThat(List.of(batch.frames())).containsExactlyElementsOf(frames.subList(0, batch.frames().length));
        assertThat(first.remaining()).as("no room was left for the next frame")
                .isLessThan(PacketCodec.Writer.batchSize(1, new byte[][]{frames.get(batch.frames().length)}));

        List<Frame> rest = send(MAX_PACKET).frames();
        assertThat(rest).hasSize(1);
        var second = (Frame.Batch) rest.getFirst();
        assertThat(second.seq()).isEqualTo(1);
        assertThat(List.of(second.frames())).as("the rest, in order, in one batch")
                .containsExactlyElementsOf(frames.subList(batch.frames().length, frames.size()));
        assertThat(stream.hasSendable()).isFalse();
    }

    /** What lets a sender write a frame through at once: nothing unsent, in flight or to send again. */
    @Test
    void isIdleOnlyOnceEverythingTakenWasSentAndAcknowledged() {
        stream.raisePeerByteLimit(NO_LIMIT);
        assertThat(stream.isIdle()).as("new").isTrue();
        stream.add(new byte[]{1, 2, 3});
        assertThat(stream.isIdle()).as("a frame waits").isFalse();

        Sent sent = send(MAX_PACKET);
        assertThat(stream.isIdle()).as("in flight").isFalse();
        stream.onLost(sent.packet());
        assertThat(stream.isIdle()).as("lost, to send again").isFalse();
        Sent again = send(MAX_PACKET);
        stream.onAcked(again.packet());

        assertThat(stream.isIdle()).isTrue();
    }

    @Test
    void fragmentsAFrameLongerThanTheRoomWithOffsetsThatReassembleIt() {
        stream.raisePeerByteLimit(NO_LIMIT);
        byte[] big = new byte[3_000];
        new Random(13).nextBytes(big);
        byte[] small = {1, 2, 3};
        stream.add(big);
        stream.add(small);

        var whole = new ByteArrayOutputStream();
        var seqs = new ArrayList<Long>();
        Frame.Batch after = null;
        while (stream.hasSendable()) {
            for (Frame f : send(MAX_PACKET).frames()) {
                if (f instanceof Frame.Chunk chunk) {
                    assertThat(chunk.frameLength()).isEqualTo(big.length);
                    assertThat(chunk.offset()).as("each fragment starts where the last ended").isEqualTo(whole.size());
                    assertThat(chunk.data().length).isLessThanOrEqualTo(MAX_CHUNK_DATA);
                    whole.writeBytes(chunk.data());
                    seqs.add(chunk.seq());
                } else {
                    after = (Frame.Batch) f;
                }
            }
        }

        assertThat(whole.toByteArray()).isEqualTo(big);
        assertThat(seqs).hasSizeGreaterThan(1).containsExactly(0L, 1L, 2L);
        assertThat(after).as("the small frame follows, whole").isNotNull();
        assertThat(after.seq()).isEqualTo(3);
        assertThat(List.of(after.frames())).containsExactly(small);
        assertThat(stream.streamOffset()).isEqualTo(big.length + small.length);
    }

    @Test
    void sendsALostChunkAgainBeforeNewData() {
        stream.raisePeerByteLimit(NO_LIMIT);
        byte[] a = {1};
        stream.add(a);
        Sent lost = send(MAX_PACKET);

        stream.onLost(lost.packet());
        byte[] b = {2};
        stream.add(b);
        List<Frame> next = send(MAX_PACKET).frames();

        assertThat(next).hasSize(2);
        var resent = (Frame.Batch) next.get(0);
        var fresh = (Frame.Batch) next.get(1);
        assertThat(resent.seq()).isZero();
        assertThat(List.of(resent.frames())).containsExactly(a);
        assertThat(fresh.seq()).isEqualTo(1);
        assertThat(List.of(fresh.frames())).containsExactly(b);
        assertThat(stream.hasRetransmissions()).isFalse();
    }

    @Test
    void neverSendsAnAcknowledgedChunkAgain() {
        stream.raisePeerByteLimit(NO_LIMIT);
        stream.add(new byte[]{1});
        Sent first = send(MAX_PACKET);
        stream.add(new byte[]{2});
        Sent second = send(MAX_PACKET);

        stream.onAcked(first.packet());
        stream.onLost(first.packet());
        stream.onLost(second.packet());
        stream.onAcked(second.packet());
        stream.onProbeTimeout(2);

        assertThat(stream.hasRetransmissions())
                .as("one acknowledged before its loss was declared, the other acknowledged while queued again")
                .isFalse();
        assertThat(send(MAX_PACKET).frames()).isEmpty();
    }

    @Test
    void releasesBufferedBytesOnlyAsChunksAreAcknowledged() {
        stream.raisePeerByteLimit(NO_LIMIT);
        stream.add(new byte[100]);
        stream.add(new byte[200]);
        assertThat(stream.bufferedBytes()).isEqualTo(300);

        Sent batch = send(MAX_PACKET);
        stream.add(new byte[3_000]);
        var fragments = new ArrayList<Sent>();
        while (stream.hasSendable()) {
            fragments.add(send(MAX_PACKET));
        }
        assertThat(stream.bufferedBytes()).as("sent is not delivered").isEqualTo(3_300);

        stream.onLost(batch.packet());
        assertThat(stream.bufferedBytes()).as("lost is still to deliver").isEqualTo(3_300);
        stream.onAcked(batch.packet());
        assertThat(stream.bufferedBytes()).isEqualTo(3_000);
        fragments.forEach(f -> stream.onAcked(f.packet()));
        assertThat(stream.bufferedBytes()).isZero();
    }

    @Test
    void sendsNothingPastThePeersByteLimit() {
        stream.raisePeerByteLimit(250);
        List<byte[]> frames = frames(5, 100);
        frames.forEach(stream::add);

        List<Frame> first = send(MAX_PACKET).frames();

        assertThat(first).hasSize(1);
        assertThat(List.of(((Frame.Batch) first.getFirst()).frames())).containsExactlyElementsOf(frames.subList(0, 2));
        assertThat(stream.streamOffset()).isEqualTo(200);
        assertThat(stream.hasNewData()).isFalse();
        assertThat(stream.windowBlocked()).isTrue();
        assertThat(send(MAX_PACKET).frames()).isEmpty();

        stream.raisePeerByteLimit(100);
        assertThat(stream.peerByteLimit()).as("a stale, smaller limit changes nothing").isEqualTo(250);

        stream.raisePeerByteLimit(500);
        List<Frame> rest = send(MAX_PACKET).frames();
        assertThat(List.of(((Frame.Batch) rest.getFirst()).frames())).containsExactlyElementsOf(frames.subList(2, 5));
        assertThat(stream.windowBlocked()).isFalse();
    }

    @Test
    void holdsAFragmentThatWouldPassThePeersByteLimit() {
        stream.raisePeerByteLimit(MAX_CHUNK_DATA - 1);
        stream.add(new byte[3_000]);

        assertThat(send(MAX_PACKET).frames()).isEmpty();
        assertThat(stream.windowBlocked()).isTrue();

        stream.raisePeerByteLimit(MAX_CHUNK_DATA);
        List<Frame> sent = send(MAX_PACKET).frames();
        assertThat(sent).hasSize(1);
        assertThat(((Frame.Chunk) sent.getFirst()).data()).hasSize(MAX_CHUNK_DATA);
        assertThat(stream.streamOffset()).isEqualTo(MAX_CHUNK_DATA);
    }

    @Test
    void sendsTheFinOnlyAfterEveryFrameNumberedAfterTheLast() {
        stream.raisePeerByteLimit(NO_LIMIT);
        stream.add(new byte[3_000]);
        stream.finish();
        assertThat(stream.isFinishing()).isTrue();
        assertThat(stream.finReady()).as("nothing written yet").isFalse();

        Sent head = send(MAX_PACKET);
        assertThat(stream.finReady()).as("fragments remain").isFalse();
        var tail = new ArrayList<Sent>();
        while (stream.hasNewData()) {
            tail.add(send(MAX_PACKET));
        }
        stream.onLost(head.packet());
        assertThat(stream.finReady()).as("a lost fragment waits to go again").isFalse();
        send(MAX_PACKET);

        assertThat(stream.finReady()).isTrue();
        assertThat(stream.takeFin()).isEqualTo(3);
        assertThat(stream.finReady()).as("taken once").isFalse();
        assertThat(stream.isFullyAcknowledged()).isFalse();
    }

    @Test
    void sendsALostFinAgainUntilItIsAcknowledged() {
        stream.raisePeerByteLimit(NO_LIMIT);
        stream.add(new byte[]{1});
        stream.finish();
        Sent data = send(MAX_PACKET);
        long finalSeq = stream.takeFin();
        var fin = new SentPacket(nextPn++, 0, 20, true, List.of(), true);

        stream.onLost(fin);
        assertThat(stream.finReady()).isTrue();
        assertThat(stream.takeFin()).isEqualTo(finalSeq);

        stream.onAcked(fin);
        stream.onLost(fin);
        assertThat(stream.finReady()).as("acknowledged: never again").isFalse();
        assertThat(stream.isFullyAcknowledged()).as("the data is not acknowledged yet").isFalse();
        stream.onAcked(data.packet());
        assertThat(stream.isFullyAcknowledged()).isTrue();
    }

    @Test
    void aProbeTimeoutSendsTheOldestUnacknowledgedChunksAgainWhenNoNewDataCanGo() {
        stream.raisePeerByteLimit(NO_LIMIT);
        var sent = new ArrayList<Sent>();
        for (int i = 0; i < 4; i++) {
            stream.add(new byte[MAX_CHUNK_DATA]);
            sent.add(send(MAX_PACKET));
        }
        stream.onAcked(sent.get(0).packet());

        stream.onProbeTimeout(2);

        List<Frame> probe = send(MAX_PACKET).frames();
        assertThat(probe).hasSize(1);
        assertThat(((Frame.Segment) probe.getFirst()).seq()).as("the oldest not acknowledged").isEqualTo(1);
        assertThat(((Frame.Segment) send(MAX_PACKET).frames().getFirst()).seq()).isEqualTo(2);
        assertThat(stream.hasSendable()).as("two packets' worth, no more").isFalse();
    }

    /** One packet as written and as the peer decodes it. */
    private record Sent(SentPacket packet, List<Frame> frames, int remaining) {
    }

    /** Writes what the stream puts in a packet of {@code packetSize} bytes, as a session does. */
    private Sent send(int packetSize) {
        var writer = new PacketCodec.Writer(packetSize);
        long pn = nextPn++;
        writer.begin(7, pn, packetSize);
        var chunks = new ArrayList<OutgoingChunk>();
        stream.writeRetransmissions(writer, chunks);
        stream.writeNewChunks(writer, chunks);
        int remaining = writer.remaining();
        if (writer.isEmpty()) {
            return new Sent(new SentPacket(pn, 0, 0, false, chunks, false), List.of(), remaining);
        }
        int length = writer.finish();
        try {
            var data = (Packet.Data) PacketCodec.decode(Arrays.copyOf(writer.buffer(), length), length);
            return new Sent(new SentPacket(pn, 0, length, true, chunks, false), data.frames(), remaining);
        } catch (MalformedPacketException e) {
            throw new AssertionError("the stream wrote a packet the peer cannot read", e);
        }
    }

    private static List<byte[]> frames(int count, int length) {
        var frames = new ArrayList<byte[]>();
        for (int i = 0; i < count; i++) {
            byte[] frame = new byte[length];
            Arrays.fill(frame, (byte) i);
            frames.add(frame);
        }
        return frames;
    }
}

package dev.parley.transport.udp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The packet numbers a session has received, as a bounded set of ranges: the source of ACK frames
 * and of duplicate suppression. It keeps at most {@code maxRanges} ranges; when a new gap would
 * exceed that, the oldest range is forgotten and everything below it counts as already received
 * (a sliding window: a straggler that old is dropped, and its content comes again in a newer
 * packet).
 *
 * <p>An acknowledgement reports the newest range always, and an older range only until
 * {@value #REPORTS} acknowledgements have carried it as it is now, as a TCP receiver repeats each
 * SACK block (RFC 2018 §4): a lost packet's number never arrives (its content goes again in a new
 * packet), so each loss leaves a gap for good, and without this every acknowledgement would carry
 * {@code maxRanges} ranges once that many packets were lost. A range that grows (a straggler
 * arrives at its edge) is reported anew. Should all of a range's reports be lost, its sender
 * declares those packets lost and sends their content again, which duplicate suppression of the
 * stream's chunks absorbs. Not thread-safe: owned by one session.
 */
public final class ReceivedPackets {

    /** Acknowledgements that report a range below the newest before it is left out of them. */
    static final int REPORTS = 3;

    /** One range's last packet number, and how many acknowledgements reported the range since it last grew. */
    private static final class Span {
        long end;
        int reported;

        Span(long end) {
            this.end = end;
        }
    }

    private final int maxRanges;
    /** The ranges by first packet number. */
    private final TreeMap<Long, Span> ranges = new TreeMap<>();
    /** The ranges {@link #toReport} handed out last, in its order, for {@link #reported}. */
    private final List<Span> handedOut = new ArrayList<>();
    private long floor;

    public ReceivedPackets(int maxRanges) {
        this.maxRanges = maxRanges;
    }

    /** True if {@code pn} was received already, or is below the window. */
    public boolean isDuplicate(long pn) {
        if (pn < floor) {
            return true;
        }
        Map.Entry<Long, Span> below = ranges.floorEntry(pn);
        return below != null && below.getValue().end >= pn;
    }

    /** Records {@code pn}, which must not be a duplicate. */
    public void add(long pn) {
        Map.Entry<Long, Span> below = ranges.floorEntry(pn);
        Span above = ranges.remove(pn + 1);
        long end = above != null ? above.end : pn;
        if (below != null && below.getValue().end == pn - 1) {
            Span grown = below.getValue();
            grown.end = end;
            grown.reported = 0;
        } else {
            ranges.put(pn, new Span(end));
        }
        while (ranges.size() > maxRanges) {
            floor = ranges.pollFirstEntry().getValue().end + 1;
        }
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The largest packet number received, or -1. */
    public long largest() {
        return ranges.isEmpty() ? -1 : ranges.lastEntry().getValue().end;
    }

    /**
     * The ranges the next acknowledgement reports, largest first: the newest, and each older one
     * that fewer than {@value #REPORTS} acknowledgements carried since it last grew. Tell
     * {@link #reported} how many of them went out.
     */
    public List<Frame.Range> toReport() {
        handedOut.clear();
        var out = new ArrayList<Frame.Range>();
        for (Map.Entry<Long, Span> e : ranges.descendingMap().entrySet()) {
            Span span = e.getValue();
            if (out.isEmpty() || span.reported < REPORTS) {
                out.add(new Frame.Range(e.getKey(), span.end));
                handedOut.add(span);
            }
        }
        return out;
    }

    /** The first {@code count} ranges of the last {@link #toReport} went out in an acknowledgement. */
    public void reported(int count) {
        for (int i = 0; i < Math.min(count, handedOut.size()); i++) {
            handedOut.get(i).reported++;
        }
    }
}

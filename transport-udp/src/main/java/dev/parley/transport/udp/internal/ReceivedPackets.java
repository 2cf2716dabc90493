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
 * packet). Not thread-safe: owned by one session.
 */
public final class ReceivedPackets {

    private final int maxRanges;
    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private long floor;

    public ReceivedPackets(int maxRanges) {
        this.maxRanges = maxRanges;
    }

    /** True if {@code pn} was received already, or is below the window. */
    public boolean isDuplicate(long pn) {
        if (pn < floor) {
            return true;
        }
        Map.Entry<Long, Long> below = ranges.floorEntry(pn);
        return below != null && below.getValue() >= pn;
    }

    /** Records {@code pn}, which must not be a duplicate. */
    public void add(long pn) {
        Map.Entry<Long, Long> below = ranges.floorEntry(pn);
        long start = pn;
        long end = pn;
        if (below != null && below.getValue() == pn - 1) {
            start = below.getKey();
        }
        Long aboveEnd = ranges.remove(pn + 1);
        if (aboveEnd != null) {
            end = aboveEnd;
        }
        ranges.put(start, end);
        while (ranges.size() > maxRanges) {
            floor = ranges.pollFirstEntry().getValue() + 1;
        }
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The largest packet number received, or -1. */
    public long largest() {
        return ranges.isEmpty() ? -1 : ranges.lastEntry().getValue();
    }

    /** The ranges, largest first, for an ACK frame. */
    public List<Frame.Range> descending() {
        var out = new ArrayList<Frame.Range>(ranges.size());
        for (Map.Entry<Long, Long> e : ranges.descendingMap().entrySet()) {
            out.add(new Frame.Range(e.getKey(), e.getValue()));
        }
        return out;
    }
}

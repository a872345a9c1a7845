package io.rlhf4j.engine.safetensors;

import io.rlhf4j.engine.safetensors.HeaderParser.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks that the tensors of a header tile the data area exactly: sorted by offset, each starts
 * where the previous one ended, and the last ends at the end of the file. This is the rule the
 * reference library enforces (it rejects overlaps, holes and trailing bytes alike); holding to
 * it means no byte of the file is unaccounted for and no byte is shared by two tensors.
 */
final class DataLayout {

    private DataLayout() {
    }

    /** Returns the entries in file order, or throws naming the first tensor that breaks the tiling. */
    static List<Entry> validate(Path file, List<Entry> entries, long dataAreaBytes) throws SafetensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        String previous = null;
        for (Entry e : sorted) {
            if (e.end() > dataAreaBytes) {
                throw new SafetensorsFormatException(file, e.name(), "data_offsets end " + e.end()
                        + " is past the end of the data area (" + dataAreaBytes + " bytes)");
            }
            if (e.begin() < covered) {
                throw new SafetensorsFormatException(file, e.name(), "data_offsets [" + e.begin() + ", " + e.end()
                        + "] overlap tensor '" + previous + "', which ends at " + covered);
            }
            if (e.begin() > covered) {
                throw new SafetensorsFormatException(file, e.name(), "hole of " + (e.begin() - covered)
                        + " bytes before this tensor: data area bytes [" + covered + ", " + e.begin()
                        + ") belong to no tensor");
            }
            covered = e.end();
            previous = e.name();
        }
        if (covered != dataAreaBytes) {
            throw new SafetensorsFormatException(file, "the last " + (dataAreaBytes - covered)
                    + " bytes of the data area belong to no tensor (tensors end at " + covered
                    + ", the data area is " + dataAreaBytes + " bytes)");
        }
        return sorted;
    }
}

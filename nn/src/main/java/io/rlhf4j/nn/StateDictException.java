package io.rlhf4j.nn;

import java.util.List;

/** A state dict that does not fit a module: the names missing, unexpected or of the wrong shape. */
public final class StateDictException extends IllegalArgumentException {

    private final List<String> missing;
    private final List<String> unexpected;
    private final List<String> shapeMismatches;

    public StateDictException(String context, List<String> missing, List<String> unexpected,
            List<String> shapeMismatches) {
        super(message(context, missing, unexpected, shapeMismatches));
        this.missing = List.copyOf(missing);
        this.unexpected = List.copyOf(unexpected);
        this.shapeMismatches = List.copyOf(shapeMismatches);
    }

    private static String message(String context, List<String> missing, List<String> unexpected,
            List<String> shapeMismatches) {
        StringBuilder sb = new StringBuilder("error loading state dict into ").append(context);
        if (!missing.isEmpty()) {
            sb.append("\n  missing tensors (").append(missing.size()).append("): ").append(String.join(", ", missing));
        }
        if (!unexpected.isEmpty()) {
            sb.append("\n  unexpected tensors (").append(unexpected.size()).append("): ")
                    .append(String.join(", ", unexpected));
        }
        if (!shapeMismatches.isEmpty()) {
            sb.append("\n  shape mismatches (").append(shapeMismatches.size()).append("): ")
                    .append(String.join("; ", shapeMismatches));
        }
        return sb.toString();
    }

    public List<String> missing() {
        return missing;
    }

    public List<String> unexpected() {
        return unexpected;
    }

    /** Entries "name: expected [..], got [..]". */
    public List<String> shapeMismatches() {
        return shapeMismatches;
    }
}

package io.rlhf4j.engine.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file or checkpoint index that breaks the format. The message always names the
 * file, the tensor when one is at fault, and the check that failed, so a user can tell a corrupt
 * download from a writer bug without a hex dump.
 */
public final class SafetensorsFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(Path file, String tensor, String problem) {
        super(file + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + problem);
    }

    public SafetensorsFormatException(Path file, String problem) {
        this(file, null, problem);
    }
}

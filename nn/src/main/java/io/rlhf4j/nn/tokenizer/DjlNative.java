package io.rlhf4j.nn.tokenizer;

import java.nio.file.Path;

/**
 * Configures DJL before its tokenizer binding loads. DJL copies its Rust library out of the jar into
 * {@code ENGINE_CACHE_DIR} (else {@code DJL_CACHE_DIR}, else {@code ~/.djl.ai}) and, unless offline or
 * opted out, queries EC2 instance metadata on every tokenizer creation ({@code Ec2Utils.callHome}).
 * DJL reads an environment variable first, then the system property of the same name
 * ({@code ai.djl.util.Utils.getEnvOrSystemProperty}), so a user's own setting still wins.
 */
final class DjlNative {
    /** System property naming the folder for the native library; default: java.io.tmpdir/rlhf4j-native. */
    static final String NATIVE_DIR_PROPERTY = "rlhf4j.native.dir";

    private static boolean configured;

    private DjlNative() {}

    static synchronized void configure(Path nativeDir) {
        if (configured) {
            return;
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        Path dir = nativeDir != null ? nativeDir : defaultDir();
        if (System.getenv("ENGINE_CACHE_DIR") == null) {
            System.setProperty("ENGINE_CACHE_DIR", dir.toAbsolutePath().toString());
        }
        configured = true;
    }

    private static Path defaultDir() {
        String dir = System.getProperty(NATIVE_DIR_PROPERTY);
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "rlhf4j-native");
    }
}

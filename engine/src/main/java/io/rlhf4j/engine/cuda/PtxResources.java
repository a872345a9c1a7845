package io.rlhf4j.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PTX modules the {@code rlhf4j-kernels} jar carries under {@code /io/rlhf4j/kernels/}, read as
 * text, and the {@code .entry} points each one declares with their parameter types (so the launch
 * signatures can be checked against the PTX without a GPU).
 */
public final class PtxResources {

    /** Module names (file names without {@code .ptx}). */
    public static final List<String> MODULES = List.of("log_softmax_gather", "gae", "kl", "rl_losses", "reduce");
    private static final String DIR = "/io/rlhf4j/kernels/";
    private static final Pattern ENTRY = Pattern.compile("\\.visible\\s+\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)\\s+\\w+");

    private PtxResources() {
    }

    /** The module's PTX as text. */
    public static String text(String module) {
        return new String(bytes(module), StandardCharsets.US_ASCII);
    }

    /** The module's PTX bytes followed by one NUL, the form {@code cuModuleLoadData} reads. */
    public static byte[] nulTerminated(String module) {
        byte[] b = bytes(module);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** Entry name → PTX parameter types in order ("u64", "u32", "f32", ...). */
    public static Map<String, List<String>> entries(String module) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(text(module));
        while (m.find()) {
            List<String> types = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) {
                types.add(p.group(1));
            }
            out.put(m.group(1), List.copyOf(types));
        }
        return out;
    }

    private static byte[] bytes(String module) {
        String path = DIR + module + ".ptx";
        try (InputStream in = PtxResources.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + path + " is missing: is rlhf4j-kernels on the class path?");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PTX resource " + path, e);
        }
    }
}

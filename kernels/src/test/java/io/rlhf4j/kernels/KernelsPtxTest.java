package io.rlhf4j.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the committed PTX honest: it must be exactly what build-ptx.sh makes from the sources
 * (when the same nvcc release is installed), must assemble for sm_90 without register spills,
 * and must export every {@code extern "C"} entry point of its source.
 */
class KernelsPtxTest {

    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final Path CUDA_SRC = MODULE.resolve("src/main/cuda");
    private static final Path PTX_DIR = MODULE.resolve("src/main/resources/io/rlhf4j/kernels");
    private static final Pattern RELEASE = Pattern.compile("Cuda compilation tools, release [^\\n]*");
    private static final Pattern CU_ENTRY = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(");
    private static final Pattern PTX_ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(");

    @Test
    void everySourceHasPtxExportingItsEntryPointsAtTheDocumentedIsa() throws IOException {
        List<Path> sources = sources();
        assertThat(sources).isNotEmpty();
        assertThat(names(PTX_DIR, ".ptx")).isEqualTo(names(CUDA_SRC, ".cu"));
        for (Path cu : sources) {
            Path ptx = PTX_DIR.resolve(cu.getFileName().toString().replace(".cu", ".ptx"));
            String ptxText = Files.readString(ptx);
            assertThat(ptxText).as(ptx.toString()).contains("\n.version 8.0\n", "\n.target sm_90\n");
            assertThat(matches(PTX_ENTRY, ptxText)).as(ptx.toString())
                    .isEqualTo(matches(CU_ENTRY, Files.readString(cu)));
        }
    }

    @Test
    void committedPtxIsWhatBuildPtxProduces(@TempDir Path out) throws Exception {
        Path nvcc = tool("nvcc");
        String installed = firstMatch(RELEASE, run(List.of(nvcc.toString(), "--version")).output)
                .orElseThrow(() -> new AssertionError("nvcc --version printed no release line"));
        String committed = firstMatch(RELEASE, Files.readString(PTX_DIR.resolve("reduce.ptx")))
                .orElseThrow(() -> new AssertionError("committed PTX has no nvcc release header"));
        Assumptions.assumeTrue(installed.equals(committed),
                "committed PTX was built by '" + committed + "' but nvcc here is '" + installed
                        + "': cannot compare byte for byte, skipping");

        Result build = run(List.of("bash", MODULE.resolve("build-ptx.sh").toString(), out.toString()),
                "NVCC=" + nvcc);
        assertThat(build.exit).as(build.output).isZero();
        assertThat(names(out, ".ptx")).isEqualTo(names(PTX_DIR, ".ptx"));
        for (String name : names(PTX_DIR, ".ptx")) {
            String file = name + ".ptx";
            assertThat(Files.readString(out.resolve(file)))
                    .as("%s differs from a fresh build-ptx.sh build: rerun kernels/build-ptx.sh and commit", file)
                    .isEqualTo(Files.readString(PTX_DIR.resolve(file)));
        }
    }

    @Test
    void committedPtxAssemblesForSm90WithoutSpills() throws Exception {
        Path ptxas = tool("ptxas");
        for (String name : names(PTX_DIR, ".ptx")) {
            Path ptx = PTX_DIR.resolve(name + ".ptx");
            Result r = run(List.of(ptxas.toString(), "-arch=sm_90", "-v", ptx.toString(), "-o", "/dev/null"));
            assertThat(r.exit).as("ptxas on %s:%n%s", name, r.output).isZero();
            long entries = matches(PTX_ENTRY, Files.readString(ptx)).size();
            List<String> props = r.output.lines().filter(l -> l.contains("spill stores")).toList();
            assertThat(props).as("ptxas -v report for %s:%n%s", name, r.output).hasSize((int) entries);
            assertThat(props).as("register spills in %s:%n%s", name, r.output)
                    .allMatch(l -> l.contains("0 bytes spill stores, 0 bytes spill loads"));
        }
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.list(CUDA_SRC)) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    private static TreeSet<String> names(Path dir, String ext) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            TreeSet<String> names = new TreeSet<>();
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(ext))
                    .forEach(n -> names.add(n.substring(0, n.length() - ext.length())));
            return names;
        }
    }

    private static TreeSet<String> matches(Pattern p, String text) {
        TreeSet<String> found = new TreeSet<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    private static Optional<String> firstMatch(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? Optional.of(m.group().strip()) : Optional.empty();
    }

    /** The CUDA tool on PATH, else under CUDA_HOME or /usr/local/cuda; skips the test if absent. */
    private static Path tool(String name) {
        List<Path> candidates = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, name));
            }
        }
        Optional.ofNullable(System.getenv("CUDA_HOME")).ifPresent(h -> candidates.add(Path.of(h, "bin", name)));
        candidates.add(Path.of("/usr/local/cuda/bin", name));
        Optional<Path> found = candidates.stream().filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(found.isPresent(),
                name + " not found on PATH, in $CUDA_HOME/bin or /usr/local/cuda/bin: skipping (install the CUDA toolkit to run this check)");
        return found.get();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        for (String kv : env) {
            int eq = kv.indexOf('=');
            pb.environment().put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(p.exitValue(), output);
    }
}

package io.rlhf4j.cli;

import io.rlhf4j.engine.safetensors.SafetensorsFile;
import io.rlhf4j.engine.safetensors.TensorEntry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code rlhf4j inspect FILE.safetensors|DIR}: each tensor's name, dtype and shape (every
 * .safetensors file of a folder, shards included), and the folder's config.json.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors of a safetensors file or model folder and print its config.json.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", description = "A .safetensors file or a model/checkpoint folder.")
    Path path;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        if (!Files.exists(path)) {
            throw new Main.UserError(path + " does not exist");
        }
        List<Path> files = Files.isDirectory(path) ? safetensorsIn(path) : List.of(path);
        if (Files.isDirectory(path)) {
            Path config = path.resolve("config.json");
            if (Files.isRegularFile(config)) {
                out.println("== " + config);
                out.println(Files.readString(config).strip());
            }
            if (files.isEmpty()) {
                out.println("(no .safetensors files in " + path + ")");
            }
        }
        for (Path f : files) {
            list(f, out);
        }
        return 0;
    }

    private static List<Path> safetensorsIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
    }

    private static void list(Path file, PrintStream out) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            List<TensorEntry> entries = f.entries();
            long total = entries.stream().mapToLong(TensorEntry::elementCount).sum();
            out.println("== " + file + ": " + entries.size() + " tensors, " + total + " elements");
            if (!f.metadata().isEmpty()) {
                out.println("metadata " + f.metadata());
            }
            int width = entries.stream().mapToInt(e -> e.name().length()).max().orElse(0);
            for (TensorEntry e : entries) {
                out.printf("%-" + width + "s  %-4s  %s%n", e.name(), e.dtype(), Arrays.toString(e.shape()));
            }
        }
    }
}

package io.rlhf4j.cli;

import io.rlhf4j.merging.MergeConfig;
import io.rlhf4j.merging.MergeConfigFile;
import io.rlhf4j.merging.ModelMerger;
import io.rlhf4j.nn.models.PreTrainedCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlhf4j merge --config merge.yaml [--set key=value ...]}: merges fine-tuned models of one
 * base (task arithmetic, TIES, DARE, SLERP; {@link MergeConfig}) and writes a Hugging Face model folder.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge fine-tuned models of one base model into one model folder.",
            "Keys: base_model, models, output_dir, method (task_arithmetic, magnitude_prune, ties, dare, dare_ties,"
                    + " slerp), weights, density, majority_sign_method (total, frequency), normalize, lambda, t, seed."})
final class MergeCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Merge config (.yaml or .json).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable),"
            + " e.g. --set density=0.3 --set 'models=[a, b]'.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        MergeConfig c;
        try {
            c = MergeConfigFile.load(config, overrides);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        if (c.baseModel() == null || c.models().isEmpty() || c.outputDir() == null) {
            throw new Main.UserError(config + ": base_model, models and output_dir are required");
        }
        Path base = folder(c.baseModel(), "base_model");
        List<Path> models = new ArrayList<>();
        for (String m : c.models()) {
            models.add(folder(m, "models"));
        }
        Path output = Path.of(c.outputDir());
        long start = System.nanoTime();
        PreTrainedCausalLM merged;
        try {
            merged = new ModelMerger(c).mergeFolders(base, models, output);
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage());
        }
        System.out.printf("merged %d model(s) into %s by %s: %d parameters in %d tensors, %.1f s%n", models.size(),
                base, c.method(), merged.parameterCount(), merged.stateDict().size(),
                (System.nanoTime() - start) / 1e9);
        System.out.println("wrote " + output);
        return 0;
    }

    private Path folder(String name, String key) {
        Path p = Path.of(name);
        if (!Files.isRegularFile(p.resolve("config.json"))) {
            throw new Main.UserError(config + ": " + key + " " + name + " is not a model folder (no config.json)");
        }
        return p;
    }
}

package io.rlhf4j.trainers.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Rolling checkpoints of one stage in its output folder (layout in {@link CheckpointLayout}).
 *
 * <p>A save is atomic: everything is written into {@code .checkpoint-<step>.tmp}, each file
 * forced to disk, the completion marker last, the folder forced, then renamed to
 * {@code checkpoint-<step>} and the output folder forced. A crash at any point leaves either the
 * old set of checkpoints or the new one; scratch folders are never read and are removed by the
 * next save. After a save, complete checkpoints beyond {@code save_total_limit} are deleted
 * oldest first; the one just written is always the newest and always kept.
 */
public final class CheckpointManager {

    /** transformers' default shard size for save_pretrained. */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    private final Path outputDir;
    private final Integer saveTotalLimit;
    private final long maxShardBytes;
    private final CheckpointFiles.BeforeFile hook;

    /** @param saveTotalLimit how many complete checkpoints to keep (>= 1), null for all */
    public CheckpointManager(Path outputDir, Integer saveTotalLimit) {
        this(outputDir, saveTotalLimit, DEFAULT_MAX_SHARD_BYTES, file -> { });
    }

    CheckpointManager(Path outputDir, Integer saveTotalLimit, long maxShardBytes, CheckpointFiles.BeforeFile hook) {
        if (saveTotalLimit != null && saveTotalLimit < 1) {
            throw new IllegalArgumentException("save_total_limit must be >= 1 or null, got " + saveTotalLimit);
        }
        this.outputDir = outputDir;
        this.saveTotalLimit = saveTotalLimit;
        this.maxShardBytes = maxShardBytes;
        this.hook = hook;
    }

    public Path outputDir() {
        return outputDir;
    }

    /** Writes {@code checkpoint-<global step>} atomically, then prunes; returns its folder. */
    public Path save(Checkpoint checkpoint) throws IOException {
        long step = checkpoint.state().globalStep();
        Files.createDirectories(outputDir);
        removeScratch();
        Path temp = outputDir.resolve(CheckpointLayout.tempName(step));
        Path target = outputDir.resolve(CheckpointLayout.finalName(step));
        try {
            Files.createDirectory(temp);
            CheckpointFiles.write(temp, checkpoint, maxShardBytes, hook);
            CheckpointFiles.syncDirectory(temp);
            replace(temp, target, step);
        } catch (IOException | RuntimeException | Error e) {
            try {
                deleteTree(temp);
            } catch (IOException | UncheckedIOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        CheckpointFiles.syncDirectory(outputDir);
        prune();
        return target;
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> checkpoints() throws IOException {
        if (!Files.isDirectory(outputDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(outputDir)) {
            return entries.filter(Files::isDirectory)
                    .filter(p -> CheckpointLayout.step(p).isPresent())
                    .filter(p -> Files.isRegularFile(p.resolve(CheckpointLayout.COMPLETE)))
                    .sorted(Comparator.comparingLong(p -> CheckpointLayout.step(p).getAsLong()))
                    .toList();
        }
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = checkpoints();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    /** Everything saved in a complete checkpoint folder. */
    public static Checkpoint load(Path checkpointDir) throws IOException {
        OptionalLong step = CheckpointLayout.step(checkpointDir);
        if (step.isEmpty() || !Files.isRegularFile(checkpointDir.resolve(CheckpointLayout.COMPLETE))) {
            throw new IOException(checkpointDir + " is not a complete checkpoint (a checkpoint-<step> folder with "
                    + CheckpointLayout.COMPLETE + "); resume from CheckpointManager.latest() instead");
        }
        return CheckpointFiles.read(checkpointDir);
    }

    private void replace(Path temp, Path target, long step) throws IOException {
        if (!Files.exists(target)) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        // Saving the same step again: move the old folder aside first (a rename cannot replace a
        // non-empty directory), so a crash in between leaves a complete folder under one name.
        Path old = outputDir.resolve(CheckpointLayout.oldName(step));
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
    }

    private void prune() throws IOException {
        if (saveTotalLimit == null) {
            return;
        }
        List<Path> all = checkpoints();
        for (int i = 0; i < all.size() - saveTotalLimit; i++) {
            deleteTree(all.get(i));
        }
    }

    /**
     * Deletes what an interrupted save left, except a {@code .old} folder whose replacement never
     * arrived (a crash between the two renames of {@link #replace}): that one is renamed back.
     */
    private void removeScratch() throws IOException {
        List<Path> scratch = new ArrayList<>();
        try (Stream<Path> entries = Files.list(outputDir)) {
            entries.filter(p -> CheckpointLayout.isScratch(p.getFileName().toString())).forEach(scratch::add);
        }
        for (Path p : scratch) {
            String name = p.getFileName().toString();
            Path original = outputDir.resolve(name.substring(1, name.length() - ".old".length()));
            if (name.endsWith(".old") && !Files.exists(original)) {
                Files.move(p, original, StandardCopyOption.ATOMIC_MOVE);
            } else {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

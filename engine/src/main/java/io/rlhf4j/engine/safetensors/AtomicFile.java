package io.rlhf4j.engine.safetensors;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Replaces a file all at once: the content goes to a temporary file in the same directory, is
 * forced to disk, and is then renamed over the target. A reader (or a crash) sees the old file or
 * the new one, never a partial one; a process that has the old file memory-mapped keeps its
 * mapping intact, where truncating in place would make its next read fault.
 */
final class AtomicFile {

    /** Writes the whole content to a fresh channel positioned at 0. */
    @FunctionalInterface
    interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFile() {
    }

    static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        // Not Files.createTempFile: that makes the file owner-only (0600), and the permissions
        // survive the rename; a plain CREATE_NEW gets the usual umask-based permissions.
        Path temp = directory.resolve("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        syncDirectory(directory);
    }

    /** Makes the rename itself durable; without it a power loss can undo the rename. */
    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (UnsupportedOperationException | AccessDeniedException e) {
            // Some platforms (Windows) cannot open a directory as a channel; the rename is still
            // atomic there, only its durability on power loss is up to the OS.
        }
    }
}

package io.rlhf4j.trainers.logging;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes scalars to a TensorBoard event file {@code events.out.tfevents.<seconds>.<host>} in the
 * run folder (the name TensorFlow's EventFileWriter uses), flushed after each event so a running
 * TensorBoard sees progress live.
 */
public final class TensorBoardWriter implements AutoCloseable {

    private final Path file;
    private final OutputStream out;

    public TensorBoardWriter(Path directory, double wallTime) {
        try {
            Files.createDirectories(directory);
            file = directory.resolve("events.out.tfevents." + (long) wallTime + "." + hostName());
            out = new BufferedOutputStream(Files.newOutputStream(file));
            write(EventProto.fileVersion(wallTime));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a TensorBoard event file in " + directory, e);
        }
    }

    public Path file() {
        return file;
    }

    public void scalars(double wallTime, long step, Map<String, Double> values) {
        write(EventProto.scalars(wallTime, step, values));
    }

    private void write(byte[] event) {
        try {
            out.write(TfRecords.frame(event));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TensorBoard events to " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }

    private static String hostName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}

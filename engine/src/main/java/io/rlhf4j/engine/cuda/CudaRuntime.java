package io.rlhf4j.engine.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Probes once per JVM whether CUDA can be used: loads JCuda's driver binding (which links
 * {@code libcuda.so.1}), calls {@code cuInit} and lists the devices. Every failure on the way (no
 * driver library, no device, a driver too old) is a normal answer, {@link Status#available()}
 * false with a one-line reason, never a crash. {@code -Drlhf4j.cuda=off} disables CUDA.
 */
public final class CudaRuntime {

    private static final Logger LOG = Logger.getLogger(CudaRuntime.class.getName());
    private static final Pattern MISSING_LIBRARY = Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file");
    private static Status status;

    /** The outcome of the probe. */
    public record Status(boolean available, String reason, List<CudaDeviceInfo> devices) {

        public Status {
            devices = List.copyOf(devices);
        }
    }

    private CudaRuntime() {
    }

    /** The probe's result; the first call probes (and logs the reason if CUDA is unavailable). */
    public static synchronized Status status() {
        if (status == null) {
            status = probe();
            if (!status.available()) {
                LOG.info("CUDA unavailable, using the CPU: " + status.reason());
            }
        }
        return status;
    }

    public static boolean isAvailable() {
        return status().available();
    }

    /** Why CUDA is unavailable, or "" when it is available. */
    public static String unavailableReason() {
        return status().reason();
    }

    /** The device with this ordinal; throws naming the reason when CUDA is unavailable. */
    public static CudaDeviceInfo device(int index) {
        Status s = status();
        if (!s.available()) {
            throw new IllegalStateException("CUDA device " + index + " requested but CUDA is unavailable: " + s.reason());
        }
        if (index < 0 || index >= s.devices().size()) {
            throw new IllegalArgumentException("CUDA device index " + index + " out of range: this machine has "
                    + s.devices().size() + " device(s)");
        }
        return s.devices().get(index);
    }

    private static Status probe() {
        if ("off".equalsIgnoreCase(System.getProperty("rlhf4j.cuda", ""))) {
            return unavailable("disabled by -Drlhf4j.cuda=off");
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = new int[1];
            cuDeviceGetCount(count);
            if (count[0] == 0) {
                return unavailable("the CUDA driver loaded but reports no device");
            }
            int[] driver = new int[1];
            cuDriverGetVersion(driver);
            List<CudaDeviceInfo> devices = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                devices.add(describe(i, driver[0]));
            }
            return new Status(true, "", devices);
        } catch (LinkageError e) {
            // UnsatisfiedLinkError (no libcuda.so.1 or no JCuda native for this platform),
            // NoClassDefFoundError / ExceptionInInitializerError from the binding's loader
            return unavailable("cannot load the CUDA driver binding: " + oneLine(e));
        } catch (RuntimeException e) {
            // jcuda.CudaException from cuInit etc.: e.g. CUDA_ERROR_NO_DEVICE, driver too old
            return unavailable("the CUDA driver failed: " + oneLine(e));
        }
    }

    private static CudaDeviceInfo describe(int index, int driverVersion) {
        CUdevice dev = new CUdevice();
        cuDeviceGet(dev, index);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, dev);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        long[] total = new long[1];
        cuDeviceTotalMem(total, dev);
        return new CudaDeviceInfo(index, new String(name, 0, len, StandardCharsets.UTF_8),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR), total[0],
                attribute(dev, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), driverVersion);
    }

    static int attribute(CUdevice dev, int attribute) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attribute, dev);
        return v[0];
    }

    private static Status unavailable(String reason) {
        return new Status(false, reason, List.of());
    }

    /**
     * One line for a failure: the missing shared library if the message names one (JCuda's loader
     * error spans many lines, and "libcuda.so.1: cannot open shared object file" is the useful
     * one: no NVIDIA driver), else the first line of the deepest cause's message.
     */
    static String oneLine(Throwable e) {
        Matcher missing = MISSING_LIBRARY.matcher(String.valueOf(e.getMessage()));
        if (missing.find()) {
            return missing.group(1) + ": cannot open shared object file (no NVIDIA driver installed?)";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int nl = msg.indexOf('\n');
        String line = (nl < 0 ? msg : msg.substring(0, nl)).strip();
        return root.getClass().getSimpleName() + ": " + line;
    }
}

package io.rlhf4j.engine.cuda;

/**
 * What the probe learned about one CUDA device.
 *
 * @param driverVersion the driver's CUDA version as {@code cuDriverGetVersion} reports it
 *                      (1000·major + 10·minor, e.g. 13000 for CUDA 13.0)
 */
public record CudaDeviceInfo(int index, String name, int computeMajor, int computeMinor, long totalBytes,
                             int multiprocessors, int driverVersion) {

    /** "sm_90" style name of the compute capability. */
    public String smName() {
        return "sm_" + computeMajor + computeMinor;
    }

    @Override
    public String toString() {
        return "cuda:" + index + " " + name + " (" + smName() + ", " + (totalBytes >> 20) + " MiB, "
                + multiprocessors + " SMs, driver CUDA " + driverVersion / 1000 + "." + driverVersion % 1000 / 10 + ")";
    }
}

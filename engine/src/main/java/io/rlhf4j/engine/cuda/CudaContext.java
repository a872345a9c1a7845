package io.rlhf4j.engine.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * One CUDA device as rlhf4j uses it: the device's primary context (shared with any other library
 * in the process, e.g. a later cuBLAS), one non-blocking stream that every launch and copy goes
 * to in order, the lazily loaded PTX modules, the caching allocator and the pinned staging
 * buffers. One per device per JVM ({@link #get}); any thread may use it (each call makes the
 * context current on the calling thread). {@code -Drlhf4j.cuda.checkLaunches=true} synchronises
 * after every launch so a failing kernel is named.
 */
public final class CudaContext {

    private static final Map<Integer, CudaContext> CONTEXTS = new HashMap<>();
    private static final long STAGING_CHUNK = 8L << 20;

    private final CudaDeviceInfo info;
    private final CUcontext context = new CUcontext();
    private final CUstream stream = new CUstream();
    private final PtxModules modules;
    private final DeviceAllocator allocator;
    private final HostStaging staging;
    private final KernelLauncher launcher;

    private CudaContext(CudaDeviceInfo info, long stagingChunk) {
        this.info = info;
        CUdevice device = new CUdevice();
        cuDeviceGet(device, info.index());
        cuDevicePrimaryCtxRetain(context, device);
        makeCurrent();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        this.modules = new PtxModules(this);
        this.allocator = new DeviceAllocator("cuda:" + info.index(), new DriverDeviceMemory(this));
        this.staging = new HostStaging(this, stream, stagingChunk);
        this.launcher = new KernelLauncher(new DriverLaunchTarget(this, stream), Boolean.getBoolean("rlhf4j.cuda.checkLaunches"));
    }

    /** The context of CUDA device {@code index}; throws with the probe's reason when CUDA is unavailable. */
    public static synchronized CudaContext get(int index) {
        return CONTEXTS.computeIfAbsent(index, i -> new CudaContext(CudaRuntime.device(i), STAGING_CHUNK));
    }

    /** A separate context object for tests of chunked copies: small staging buffers. */
    static CudaContext withStagingChunk(int index, long stagingChunk) {
        return new CudaContext(CudaRuntime.device(index), stagingChunk);
    }

    public CudaDeviceInfo info() {
        return info;
    }

    public DeviceAllocator allocator() {
        return allocator;
    }

    public KernelLauncher launcher() {
        return launcher;
    }

    PtxModules modules() {
        return modules;
    }

    /** Makes this context current on the calling thread (the driver API is per-thread). */
    public void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    /** Waits until everything queued on this context's stream has finished. */
    public void synchronize() {
        makeCurrent();
        cuStreamSynchronize(stream);
    }

    /** A device copy of a host tensor (any layout; the copy is contiguous). */
    public DeviceBuffer upload(Tensor t) {
        Tensor c = t.contiguous();
        long bytes = c.numel() * c.dtype().byteSize();
        MemorySegment src = c.segment().asSlice(c.offset() * c.dtype().byteSize(), bytes);
        return upload(src, c.dtype(), c.shape());
    }

    /** A device copy of {@code dtype[shape]} read from {@code src}. */
    public DeviceBuffer upload(MemorySegment src, DType dtype, int... shape) {
        DeviceBuffer b = allocator.allocate(dtype, shape);
        if (src.byteSize() < b.byteSize()) {
            b.close();
            throw new IllegalArgumentException("host segment of " + src.byteSize() + " bytes is too small for "
                    + dtype + Arrays.toString(shape));
        }
        copyToDevice(src, b);
        return b;
    }

    /** Copies host {@code src} into {@code dst} (its whole byte size). */
    public void copyToDevice(MemorySegment src, DeviceBuffer dst) {
        staging.toDevice(src, dst.pointer(), dst.byteSize());
    }

    /** A host tensor (in the current memory scope) holding the buffer's contents. */
    public Tensor download(DeviceBuffer b) {
        Tensor t = Tensor.empty(b.dtype(), b.shape());
        copyToHost(b, t.segment());
        return t;
    }

    /** Copies the whole buffer into host {@code dst}. */
    public void copyToHost(DeviceBuffer src, MemorySegment dst) {
        if (dst.byteSize() < src.byteSize()) {
            throw new IllegalArgumentException("host segment of " + dst.byteSize() + " bytes cannot hold " + src
                    + " (" + src.byteSize() + " bytes)");
        }
        staging.toHost(src.pointer(), dst, src.byteSize());
    }

    /** Queues a device-to-device copy of {@code src} into {@code dst} (same byte size) on the stream. */
    public void copy(DeviceBuffer src, DeviceBuffer dst) {
        if (src.byteSize() != dst.byteSize()) {
            throw new IllegalArgumentException("copy from " + src + " (" + src.byteSize() + " bytes) to " + dst
                    + " (" + dst.byteSize() + " bytes): sizes differ");
        }
        makeCurrent();
        cuMemcpyDtoDAsync(dst.pointer(), src.pointer(), src.byteSize(), stream);
    }

    /** Queues a fill of the buffer with zero bytes on the stream. */
    public void zero(DeviceBuffer b) {
        makeCurrent();
        cuMemsetD8Async(b.pointer(), (byte) 0, b.byteSize(), stream);
    }

    @Override
    public String toString() {
        return info.toString();
    }
}

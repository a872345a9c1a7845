package io.rlhf4j.engine.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.lang.foreign.MemorySegment;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * Host↔device copies through two reused pinned ({@code cuMemAllocHost}) staging buffers. A copy
 * goes in chunks of at most the staging size, alternating buffers, so the host-side copy of one
 * chunk overlaps the DMA of the previous one; an event per buffer says when it may be reused.
 * Pinned memory is what lets the DMA run asynchronously at full PCIe/NVLink speed; tensors in
 * ordinary off-heap memory would otherwise be staged by the driver, synchronously.
 */
final class HostStaging {

    private final CudaContext context;
    private final CUstream stream;
    private final long chunk;
    private final Pointer[] pinned = new Pointer[2];
    private final MemorySegment[] segments = new MemorySegment[2];
    private final CUevent[] done = new CUevent[2];

    HostStaging(CudaContext context, CUstream stream, long chunkBytes) {
        this.context = context;
        this.stream = stream;
        this.chunk = chunkBytes;
    }

    /** Copies {@code bytes} from host {@code src} to device {@code dst}; returns when done. */
    synchronized void toDevice(MemorySegment src, CUdeviceptr dst, long bytes) {
        ensureBuffers();
        int k = 0;
        for (long off = 0; off < bytes; off += chunk, k ^= 1) {
            long n = Math.min(chunk, bytes - off);
            cuEventSynchronize(done[k]);  // the DMA that last read this buffer has finished
            MemorySegment.copy(src, off, segments[k], 0, n);
            cuMemcpyHtoDAsync(dst.withByteOffset(off), pinned[k], n, stream);
            cuEventRecord(done[k], stream);
        }
        cuStreamSynchronize(stream);
    }

    /** Copies {@code bytes} from device {@code src} to host {@code dst}; returns when done. */
    synchronized void toHost(CUdeviceptr src, MemorySegment dst, long bytes) {
        if (bytes == 0) {
            return;
        }
        ensureBuffers();
        cuMemcpyDtoHAsync(pinned[0], src, Math.min(chunk, bytes), stream);
        cuEventRecord(done[0], stream);
        int k = 0;
        for (long off = 0; off < bytes; off += chunk, k ^= 1) {
            long n = Math.min(chunk, bytes - off);
            long next = off + chunk;
            if (next < bytes) {  // start the next chunk's DMA before copying this one out
                cuMemcpyDtoHAsync(pinned[k ^ 1], src.withByteOffset(next), Math.min(chunk, bytes - next), stream);
                cuEventRecord(done[k ^ 1], stream);
            }
            cuEventSynchronize(done[k]);
            MemorySegment.copy(segments[k], 0, dst, off, n);
        }
    }

    private void ensureBuffers() {
        context.makeCurrent();
        if (pinned[0] != null) {
            return;
        }
        for (int k = 0; k < 2; k++) {
            pinned[k] = new Pointer();
            cuMemAllocHost(pinned[k], chunk);
            segments[k] = MemorySegment.ofBuffer(pinned[k].getByteBuffer(0, chunk));
            done[k] = new CUevent();
            cuEventCreate(done[k], CUevent_flags.CU_EVENT_DISABLE_TIMING);
        }
    }
}

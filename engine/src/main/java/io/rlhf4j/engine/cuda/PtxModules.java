package io.rlhf4j.engine.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * The PTX modules of one context, each loaded on first use with {@code cuModuleLoadData} (the
 * driver JIT-compiles the PTX for the device), and their functions by name.
 */
final class PtxModules {

    private final CudaContext context;
    private final Map<String, CUmodule> modules = new HashMap<>();
    private final Map<String, CUfunction> functions = new HashMap<>();

    PtxModules(CudaContext context) {
        this.context = context;
    }

    synchronized CUfunction function(KernelSignature kernel) {
        CUfunction f = functions.get(kernel.name());
        if (f == null) {
            f = new CUfunction();
            try {
                cuModuleGetFunction(f, module(kernel.module()), kernel.name());
            } catch (RuntimeException e) {
                throw new IllegalStateException("PTX module " + kernel.module() + " has no entry " + kernel.name()
                        + ": " + CudaRuntime.oneLine(e), e);
            }
            functions.put(kernel.name(), f);
        }
        return f;
    }

    private CUmodule module(String name) {
        CUmodule m = modules.get(name);
        if (m == null) {
            context.makeCurrent();
            m = new CUmodule();
            try {
                cuModuleLoadData(m, PtxResources.nulTerminated(name));
            } catch (RuntimeException e) {
                throw new IllegalStateException("cannot load PTX module " + name + ".ptx on "
                        + context.info() + " (the PTX needs a CUDA 12.0+ driver and sm_90 or newer): " + CudaRuntime.oneLine(e), e);
            }
            modules.put(name, m);
        }
        return m;
    }
}

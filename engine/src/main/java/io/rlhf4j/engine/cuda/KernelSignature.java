package io.rlhf4j.engine.cuda;

import java.util.List;

/**
 * One {@code extern "C"} entry point of a PTX module: its parameter types in order and the launch
 * shapes its source allows.
 *
 * @param fixedBlock  the only block size the kernel accepts, or 0 for any multiple of 32 up to 1024
 * @param singleBlock whether the kernel must run as exactly one block (a final fold)
 */
public record KernelSignature(String module, String name, List<ParamType> params, int fixedBlock,
                              boolean singleBlock) {

    public KernelSignature {
        params = List.copyOf(params);
    }

    static KernelSignature of(String module, String name, ParamType... params) {
        return new KernelSignature(module, name, List.of(params), 0, false);
    }

    KernelSignature withFixedBlock(int block) {
        return new KernelSignature(module, name, params, block, singleBlock);
    }

    KernelSignature asSingleBlock() {
        return new KernelSignature(module, name, params, fixedBlock, true);
    }
}

package io.rlhf4j.engine.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PtxResourcesTest {

    @Test
    void everyModuleLoadsAsNulTerminatedPtxText() {
        for (String m : PtxResources.MODULES) {
            String text = PtxResources.text(m);
            assertThat(text).as(m).contains(".version 8.0").contains(".target sm_90").contains(".address_size 64");
            assertThat(text.chars().allMatch(c -> c > 0 && c < 128)).as(m + " is ASCII without NUL").isTrue();
            byte[] z = PtxResources.nulTerminated(m);
            assertThat(z).hasSize(text.length() + 1);
            assertThat(z[z.length - 1]).isZero();
        }
    }

    @Test
    void catalogNamesExactlyTheEntriesOfEachModule() {
        for (String m : PtxResources.MODULES) {
            Set<String> inCatalog = RlKernelCatalog.ALL.stream().filter(k -> k.module().equals(m))
                    .map(KernelSignature::name).collect(Collectors.toSet());
            assertThat(PtxResources.entries(m).keySet()).as(m).isEqualTo(inCatalog);
        }
        assertThat(RlKernelCatalog.ALL).hasSize(14);
    }

    @Test
    void catalogParameterTypesMatchThePtx() {
        for (KernelSignature k : RlKernelCatalog.ALL) {
            Map<String, List<String>> entries = PtxResources.entries(k.module());
            List<String> expected = k.params().stream().map(ParamType::ptxType).toList();
            assertThat(entries.get(k.name())).as(k.name()).isEqualTo(expected);
        }
    }
}

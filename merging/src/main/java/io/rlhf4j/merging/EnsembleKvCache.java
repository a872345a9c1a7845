package io.rlhf4j.merging;

import io.rlhf4j.engine.Tensor;
import io.rlhf4j.nn.KvCache;
import java.util.List;

/**
 * The KV cache of an ensemble: one cache per member (members may differ in geometry). The
 * ensemble's forward hands each member its own cache, and each member's forward updates and
 * advances it, so this cache itself is never updated or advanced; rolling it back (speculative
 * decoding) rolls back every member's.
 */
final class EnsembleKvCache implements KvCache {

    private final List<KvCache> members;

    EnsembleKvCache(List<KvCache> members) {
        this.members = List.copyOf(members);
    }

    KvCache member(int i) {
        return members.get(i);
    }

    @Override
    public int length() {
        return members.getFirst().length();
    }

    @Override
    public KeyValues update(int layer, Tensor keys, Tensor values) {
        throw new UnsupportedOperationException("an ensemble's cache is updated by its members' forwards");
    }

    @Override
    public void advance(int tokens) {
        throw new UnsupportedOperationException("an ensemble's cache is advanced by its members' forwards");
    }

    @Override
    public void truncate(int length) {
        KvCache.checkTruncate(length, length());
        for (KvCache member : members) {
            member.truncate(length);
        }
    }

    @Override
    public void close() {
        for (KvCache member : members) {
            member.close();
        }
    }
}

// The one piece of C in trainer: Swift has no prefetch instruction, and the
// training loop wants one (see Dataset.prefetchInputs(of:)). Swift imports
// this static inline function and compiles it in place, so a call costs the
// one instruction.
#ifndef TRAINER_PREFETCH_H
#define TRAINER_PREFETCH_H

/// Asks the CPU to start loading the cache line holding `address`, without
/// waiting for it. A hint: it changes no value and cannot fault.
static inline void trainer_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif

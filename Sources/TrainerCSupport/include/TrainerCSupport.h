// The only C in trainer: what Swift cannot say or reach on its own.
#ifndef TRAINER_C_SUPPORT_H
#define TRAINER_C_SUPPORT_H

/// Asks the CPU to start loading the cache line holding `address`, without
/// waiting for it. A hint: it changes no value and cannot fault. Swift has no
/// prefetch instruction, and the training loop wants one (see
/// Dataset.prefetchInputs(of:)); Swift imports this static inline function
/// and compiles it in place, so a call costs the one instruction.
static inline void trainer_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// The number of processors this process may run on (its affinity mask, as
/// `taskset` and container cpusets set it), or 0 when it cannot be read.
/// sched_getaffinity and CPU_COUNT need _GNU_SOURCE, which Swift's Glibc
/// module is not built with.
int trainer_affinity_processor_count(void);

/// The commit this binary was built from, as `make` passed it in the
/// TRAINER_COMMIT environment variable (see Package.swift), or "unknown".
/// It lives in C because a define can reach a C file without touching
/// any Swift module's flags, so a new commit recompiles one small file.
const char *trainer_build_commit(void);

#endif

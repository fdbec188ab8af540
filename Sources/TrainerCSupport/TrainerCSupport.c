#define _GNU_SOURCE
#include "TrainerCSupport.h"

#if defined(__linux__)
#include <sched.h>

int trainer_affinity_processor_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}
#else
int trainer_affinity_processor_count(void) { return 0; }
#endif

#ifndef TRAINER_COMMIT
#define TRAINER_COMMIT "unknown"
#endif

const char *trainer_build_commit(void) { return TRAINER_COMMIT; }

// Everything is in include/TrainerPrefetch.h; the package manager wants a
// source file in every C target.
#include "TrainerPrefetch.h"

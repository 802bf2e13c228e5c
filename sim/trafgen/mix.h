/* The traffic mix: the network it is aimed at (README.md), its classes
 * with their shares, and the packets drawn from them one at a time. Legit
 * TCP flows and fragment trains keep state across packets, interleaved as
 * on a real link. */
#ifndef TRAFGEN_MIX_H
#define TRAFGEN_MIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct mix;

/* NULL when out of memory. The same seed gives the same packets. */
struct mix *mix_new(uint64_t seed);
void mix_free(struct mix *m);

/* Writes the next packet's frame and returns its length; *cls is its class. */
size_t mix_next(struct mix *m, uint8_t frame[FRAME_MAX], unsigned *cls);

unsigned mix_class_count(void);
const char *mix_class_name(unsigned cls);
bool mix_class_is_attack(unsigned cls);

#endif

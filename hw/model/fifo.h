/* The output FIFO: whole frames in 64-byte beats. A passed frame that does
 * not fit whole is dropped at the input (overflow); frames leave in order
 * when the consumer pops. */
#ifndef SCRUB_FIFO_H
#define SCRUB_FIFO_H

#include <stdbool.h>
#include <stdint.h>

struct scrub_fifo_frame {
    uint32_t start, len; /* byte offset in the ring, frame length */
    uint64_t ts;
};

struct scrub_fifo {
    uint8_t *ring;                  /* beats * 64 bytes */
    struct scrub_fifo_frame *frames; /* at most one per beat */
    uint32_t beats, used_beats, head, count, write_beat;
};

int scrub_fifo_init(struct scrub_fifo *f, uint32_t beats);
void scrub_fifo_free(struct scrub_fifo *f);
/* false: no room for the whole frame (overflow). */
bool scrub_fifo_push(struct scrub_fifo *f, const uint8_t *frame, uint32_t len, uint64_t ts);
uint32_t scrub_fifo_pop(struct scrub_fifo *f, uint8_t *buf, uint32_t cap, uint64_t *ts);

#endif

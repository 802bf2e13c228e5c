#include "fifo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scrub_regmap.h"

int scrub_fifo_init(struct scrub_fifo *f, uint32_t beats)
{
    memset(f, 0, sizeof(*f));
    f->beats = beats;
    f->ring = malloc((size_t)beats * SCRUB_BEAT_BYTES);
    f->frames = calloc(beats, sizeof(*f->frames));
    if (!f->ring || !f->frames) {
        scrub_fifo_free(f);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void scrub_fifo_free(struct scrub_fifo *f)
{
    free(f->ring);
    free(f->frames);
    f->ring = NULL;
    f->frames = NULL;
}

static uint32_t beats_of(uint32_t len)
{
    return (len + SCRUB_BEAT_BYTES - 1) / SCRUB_BEAT_BYTES;
}

/* A frame of no bytes still takes a beat (and a frame slot). */
static uint32_t beats_taken(uint32_t len)
{
    return len ? beats_of(len) : 1;
}

/* The bytes from `at` to the end of the ring that a copy of len uses. */
static uint32_t before_wrap(const struct scrub_fifo *f, uint32_t at, uint32_t len)
{
    uint32_t room = f->beats * SCRUB_BEAT_BYTES - at;
    return len < room ? len : room;
}

bool scrub_fifo_push(struct scrub_fifo *f, const uint8_t *frame, uint32_t len, uint64_t ts)
{
    uint32_t need = beats_taken(len);
    if (f->used_beats + need > f->beats)
        return false;
    uint32_t slot = (f->head + f->count) % f->beats;
    uint32_t start = f->write_beat * SCRUB_BEAT_BYTES;
    uint32_t first = before_wrap(f, start, len);
    memcpy(f->ring + start, frame, first);
    memcpy(f->ring, frame + first, len - first);
    f->frames[slot] = (struct scrub_fifo_frame){.start = start, .len = len, .ts = ts};
    f->write_beat = (f->write_beat + need) % f->beats;
    f->used_beats += need;
    f->count++;
    return true;
}

uint32_t scrub_fifo_pop(struct scrub_fifo *f, uint8_t *buf, uint32_t cap, uint64_t *ts)
{
    if (f->count == 0)
        return 0;
    const struct scrub_fifo_frame *fr = &f->frames[f->head];
    uint32_t n = fr->len < cap ? fr->len : cap, first = before_wrap(f, fr->start, n);
    memcpy(buf, f->ring + fr->start, first);
    memcpy(buf + first, f->ring, n - first);
    if (ts)
        *ts = fr->ts;
    uint32_t len = fr->len;
    f->used_beats -= beats_taken(len);
    f->head = (f->head + 1) % f->beats;
    f->count--;
    return len;
}

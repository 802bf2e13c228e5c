#include "dirty.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int scrub_dirty_init(struct scrub_dirty *d, uint32_t size)
{
    memset(d, 0, sizeof(*d));
    d->list = calloc(size, sizeof(*d->list));
    d->marks = calloc((size + 63) / 64, sizeof(*d->marks));
    if (!d->list || !d->marks) {
        scrub_dirty_free(d);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void scrub_dirty_free(struct scrub_dirty *d)
{
    free(d->list);
    free(d->marks);
    memset(d, 0, sizeof(*d));
}

void scrub_dirty_mark(struct scrub_dirty *d, uint32_t i)
{
    uint64_t bit = 1ull << (i % 64);
    if (d->marks[i / 64] & bit)
        return;
    d->marks[i / 64] |= bit;
    d->list[d->n++] = i;
}

void scrub_dirty_clear(struct scrub_dirty *d)
{
    for (uint32_t k = 0; k < d->n; k++)
        d->marks[d->list[k] / 64] = 0;
    d->n = 0;
}

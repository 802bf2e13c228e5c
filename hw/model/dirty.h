/* The indexes of a table written since the last commit, each once, so
 * that a commit copies and re-indexes only what changed. */
#ifndef SCRUB_DIRTY_H
#define SCRUB_DIRTY_H

#include <stdint.h>

struct scrub_dirty {
    uint32_t *list; /* the written indexes, n of them, in first-write order */
    uint64_t *marks;
    uint32_t n;
};

/* Memory for a table of size entries: 0, or -1 with errno ENOMEM. */
int scrub_dirty_init(struct scrub_dirty *d, uint32_t size);
void scrub_dirty_free(struct scrub_dirty *d);
void scrub_dirty_mark(struct scrub_dirty *d, uint32_t i);
/* Forgets every index; costs what was marked, not the table's size. */
void scrub_dirty_clear(struct scrub_dirty *d);

#endif

/* The decoder's bounded output buffer. */
#include "dots_json_buf.h"

#include <stdlib.h>
#include <string.h>

void dots_json_buf_init(struct dots_json_buf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max;
}

static int reserve(struct dots_json_buf *b, size_t need)
{
    if (need > b->max) {
        b->oom = false;
        return -1;
    }
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > b->max)
        cap = b->max;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

int dots_json_buf_add(struct dots_json_buf *b, const char *s, size_t n)
{
    if (reserve(b, b->len + n + 1) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

int dots_json_buf_finish(struct dots_json_buf *b, char **out)
{
    if (reserve(b, b->len + 1) < 0)
        return -1;
    b->p[b->len] = '\0';
    *out = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return 0;
}

void dots_json_buf_free(struct dots_json_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

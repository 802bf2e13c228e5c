/* A growing text buffer with a hard size bound, for the decoder's JSON
 * output. Owns its memory until finished. */
#ifndef DOTS_JSON_BUF_H
#define DOTS_JSON_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct dots_json_buf {
    char *p;
    size_t len, cap, max;
    bool oom;  /* the last failure was memory, not the bound */
};

void dots_json_buf_init(struct dots_json_buf *b, size_t max);
/* Appends n bytes; -1 past max bytes or when memory runs out. */
int dots_json_buf_add(struct dots_json_buf *b, const char *s, size_t n);
/* Hands the NUL-terminated text to *out (the caller frees it). */
int dots_json_buf_finish(struct dots_json_buf *b, char **out);
void dots_json_buf_free(struct dots_json_buf *b);

#endif

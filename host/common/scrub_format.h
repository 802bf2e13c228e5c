/* A string printed into memory of its own size: what names and messages
 * built from parts use. */
#ifndef SCRUB_FORMAT_H
#define SCRUB_FORMAT_H

/* Returns the formatted string, which the caller frees, or NULL when memory
 * runs out. */
char *scrub_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

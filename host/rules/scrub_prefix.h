/* Address prefixes in the card's single 128-bit address space, where IPv4
 * lives as ::ffff:a.b.c.d, so an IPv4 /p is a /(96+p). Owns parsing,
 * formatting and comparing prefixes; nothing here knows about tables. */
#ifndef SCRUB_PREFIX_H
#define SCRUB_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "scrub_entry.h"

struct scrub_prefix {
    struct scrub_addr addr; /* bits beyond plen are zero */
    unsigned plen;          /* 0..128, in the 128-bit space */
};

/* Room for any prefix as text, with its terminating zero. */
#define SCRUB_PREFIX_TEXT 52

/* Parses "198.51.100.0/24" (a /120 here) or "2001:db8::/32"; bits beyond
 * the length are cleared. False if the text is neither. */
bool scrub_prefix_parse(const char *text, struct scrub_prefix *out);
/* Writes the prefix as an operator wrote it: dotted with the IPv4 length
 * for prefixes inside ::ffff:0:0/96, IPv6 otherwise. */
void scrub_prefix_format(const struct scrub_prefix *p, char *buf, size_t size);
/* True if outer covers every address of inner. */
bool scrub_prefix_contains(const struct scrub_prefix *outer, const struct scrub_prefix *inner);
/* Two prefixes overlap exactly when one contains the other. */
bool scrub_prefix_overlap(const struct scrub_prefix *a, const struct scrub_prefix *b);
/* True for an IPv6 prefix that reaches into ::ffff:0:0/96, the card's IPv4
 * space (::/0, ::ffff:0:0/96 itself...). */
bool scrub_prefix_meets_v4_space(const struct scrub_prefix *p);
/* Orders by address, then shorter first, so a prefix comes before every
 * prefix it contains (a qsort comparator on struct scrub_prefix). */
int scrub_prefix_cmp(const void *a, const void *b);

#endif

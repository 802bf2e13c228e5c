/* UTF-8 validity (RFC 3629): what a CBOR text string must hold. */
#ifndef DOTS_UTF8_H
#define DOTS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether s[0..n) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no sequence cut short. */
bool dots_utf8_valid(const uint8_t *s, size_t n);

#endif

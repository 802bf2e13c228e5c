/* A DOTS client's identity from its certificate (RFC 9132 section 8, RFC
 * 6125): the first DNS name of the subjectAltName, else the subject's CN. */
#ifndef DOTS_IDENTITY_H
#define DOTS_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

/* From a DER certificate into out (size bytes, NUL-terminated). -1 when the
 * certificate does not parse or names no identity (or a longer one). */
int dots_identity_from_der(const uint8_t *der, size_t len, char *out, size_t size);

#endif

/* The cuid RFC 9132 section 4.4.1 recommends a DOTS client to use: the
 * SHA-256 of the DER SubjectPublicKeyInfo of its certificate, truncated to
 * its first 16 bytes, in base64url without padding (22 characters). */
#ifndef DOTS_CUID_H
#define DOTS_CUID_H

#include <stddef.h>
#include <stdint.h>

#define DOTS_CUID_DERIVED_LEN 22

/* From a DER certificate into out (at least DOTS_CUID_DERIVED_LEN + 1
 * bytes). -1 when the certificate does not parse. */
int dots_cuid_from_der(const uint8_t *der, size_t len, char out[DOTS_CUID_DERIVED_LEN + 1]);

/* The same from the first certificate of a PEM file; -1 with errno (ENOENT
 * and the like from opening it, EINVAL when it holds no usable certificate). */
int dots_cuid_from_pem_file(const char *path, char out[DOTS_CUID_DERIVED_LEN + 1]);

#endif

/* A cuid derived from a certificate's public key (RFC 9132 section 4.4.1). */
#include "dots_cuid.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

static int from_cert(X509 *cert, char out[DOTS_CUID_DERIVED_LEN + 1])
{
    unsigned char *spki = NULL, digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
    int ok = len > 0 && EVP_Digest(spki, (size_t)len, digest, &digest_len, EVP_sha256(), NULL) == 1;
    OPENSSL_free(spki);
    if (!ok)
        return -1;
    /* 16 bytes are 24 base64 characters, the last two "==" padding */
    unsigned char text[25];
    EVP_EncodeBlock(text, digest, 16);
    for (int i = 0; i < DOTS_CUID_DERIVED_LEN; i++)
        out[i] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : (char)text[i];
    out[DOTS_CUID_DERIVED_LEN] = '\0';
    return 0;
}

int dots_cuid_from_der(const uint8_t *der, size_t len, char out[DOTS_CUID_DERIVED_LEN + 1])
{
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    int r = cert ? from_cert(cert, out) : -1;
    X509_free(cert);
    return r;
}

int dots_cuid_from_pem_file(const char *path, char out[DOTS_CUID_DERIVED_LEN + 1])
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    int r = cert ? from_cert(cert, out) : -1;
    X509_free(cert);
    if (r < 0)
        errno = EINVAL; /* no certificate in it, or one whose key does not encode */
    return r;
}

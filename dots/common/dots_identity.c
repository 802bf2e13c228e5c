/* The identity a certificate presents: first DNS SAN, else CN. */
#include "dots_identity.h"

#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int copy(const unsigned char *s, int n, char *out, size_t size)
{
    /* an embedded NUL would let "a.example\0.evil" pass for a.example */
    if (n <= 0 || (size_t)n >= size || memchr(s, '\0', (size_t)n))
        return -1;
    memcpy(out, s, (size_t)n);
    out[n] = '\0';
    return 0;
}

int dots_identity_from_der(const uint8_t *der, size_t len, char *out, size_t size)
{
    const unsigned char *p = der;
    X509 *cert = d2i_X509(NULL, &p, (long)len);
    int r = -1;
    if (!cert)
        return -1;
    GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
        if (gn->type == GEN_DNS) {
            r = copy(ASN1_STRING_get0_data(gn->d.dNSName), ASN1_STRING_length(gn->d.dNSName), out, size);
            break;
        }
    }
    GENERAL_NAMES_free(sans);
    if (r < 0) {
        X509_NAME *subject = X509_get_subject_name(cert);
        int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
        if (at >= 0) {
            const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
            r = copy(ASN1_STRING_get0_data(cn), ASN1_STRING_length(cn), out, size);
        }
    }
    X509_free(cert);
    return r;
}

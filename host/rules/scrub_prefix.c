#include "scrub_prefix.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool scrub_prefix_parse(const char *text, struct scrub_prefix *out)
{
    const char *slash = strchr(text, '/');
    char addr[INET6_ADDRSTRLEN];
    if (!slash || (size_t)(slash - text) >= sizeof(addr))
        return false;
    memcpy(addr, text, (size_t)(slash - text));
    addr[slash - text] = '\0';

    const char *len = slash + 1;
    char *end;
    if (*len < '0' || *len > '9')
        return false;
    unsigned long plen = strtoul(len, &end, 10);
    bool v6_text = strchr(addr, ':') != NULL;
    if (*end || plen > (v6_text ? 128u : 32u) || !scrub_addr_parse(addr, &out->addr))
        return false;
    out->plen = v6_text ? (unsigned)plen : 96 + (unsigned)plen;
    struct scrub_addr mask = scrub_addr_mask(out->plen);
    scrub_addr_and(&out->addr, &mask);
    return true;
}

void scrub_prefix_format(const struct scrub_prefix *p, char *buf, size_t size)
{
    char addr[INET6_ADDRSTRLEN];
    bool v4 = p->plen >= 96 && scrub_addr_is_v4(&p->addr);
    scrub_addr_format(&p->addr, addr, sizeof(addr));
    snprintf(buf, size, "%s/%u", addr, v4 ? p->plen - 96 : p->plen);
}

bool scrub_prefix_contains(const struct scrub_prefix *outer, const struct scrub_prefix *inner)
{
    if (outer->plen > inner->plen)
        return false;
    struct scrub_addr masked = inner->addr, mask = scrub_addr_mask(outer->plen);
    scrub_addr_and(&masked, &mask);
    return scrub_addr_eq(&masked, &outer->addr);
}

bool scrub_prefix_overlap(const struct scrub_prefix *a, const struct scrub_prefix *b)
{
    return scrub_prefix_contains(a, b) || scrub_prefix_contains(b, a);
}

bool scrub_prefix_meets_v4_space(const struct scrub_prefix *p)
{
    struct scrub_prefix v4_space = {.addr = scrub_addr_v4(0), .plen = 96};
    return scrub_prefix_overlap(p, &v4_space);
}

int scrub_prefix_cmp(const void *a, const void *b)
{
    const struct scrub_prefix *x = a, *y = b;
    int c = memcmp(x->addr.b, y->addr.b, sizeof(x->addr.b));
    if (c)
        return c;
    return (x->plen > y->plen) - (x->plen < y->plen);
}

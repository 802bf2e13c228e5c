/* Application payloads; see payload.h. */
#include "payload.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"

static void fill_alnum(struct rng *r, uint8_t *out, size_t n)
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = rng_next(r);
        for (size_t j = i; j < n && j < i + 8; j++, v >>= 8)
            out[j] = (uint8_t)set[(v & 0xff) % (sizeof(set) - 1)];
    }
}

/* prefix, alphanumeric filler, suffix: exactly len bytes. */
static void text_around(struct rng *r, uint8_t *out, size_t len, const char *prefix, const char *suffix)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    assert(p + s <= len);
    memcpy(out, prefix, p);
    fill_alnum(r, out + p, len - p - s);
    memcpy(out + len - s, suffix, s);
}

void payload_http_request(struct rng *r, uint8_t *out, size_t len)
{
    static const char *const paths[] = {"/", "/index.html", "/assets/app.js", "/api/v1/cart", "/img/logo.png"};
    char prefix[160];
    snprintf(prefix, sizeof(prefix),
             "GET %s HTTP/1.1\r\nHost: www.acme.example\r\nUser-Agent: Mozilla/5.0\r\n"
             "Accept: */*\r\nCookie: session=",
             paths[rng_next(r) % (sizeof(paths) / sizeof(paths[0]))]);
    text_around(r, out, len, prefix, "\r\n\r\n");
}

void payload_tls_record(struct rng *r, uint8_t *out, size_t len)
{
    out[0] = 0x17; /* application data, TLS 1.2 framing (TLS 1.3 too) */
    put16(out + 1, 0x0303);
    put16(out + 3, (uint32_t)(len - 5));
    rng_fill(r, out + 5, len - 5);
}

void payload_ping(struct rng *r, uint8_t *out, size_t len)
{
    /* iputils ping: a 16-byte timestamp, then byte i holds i. */
    rng_fill(r, out, len < 16 ? len : 16);
    for (size_t i = 16; i < len; i++)
        out[i] = (uint8_t)i;
}

static void dns_header(uint8_t *out, uint32_t id, uint32_t flags, uint32_t answers, uint32_t additional)
{
    put16(out, id);
    put16(out + 2, flags);
    put16(out + 4, 1); /* one question */
    put16(out + 6, answers);
    put16(out + 8, 0);
    put16(out + 10, additional);
}

/* A name of random labels taking exactly enclen (>= 3) bytes on the wire. */
static void dns_name(struct rng *r, uint8_t *out, size_t enclen)
{
    size_t rem = enclen - 1; /* the root label takes the last byte */
    while (rem > 0) {
        /* Never leave a single byte: a label needs two. */
        size_t label = rem <= 14 ? rem - 1 : rng_range(r, 2, 12);
        *out++ = (uint8_t)label;
        fill_alnum(r, out, label);
        out += label;
        rem -= label + 1;
    }
    *out = 0;
}

void payload_dns_query(struct rng *r, uint8_t *out, size_t len)
{
    static const uint16_t qtypes[] = {1, 1, 1, 28, 28, 15, 16, 65}; /* A AAAA MX TXT HTTPS */
    assert(len >= 30 && len <= 90);
    size_t name = len - 12 - 4 - 11;
    dns_header(out, (uint32_t)rng_next(r), 0x0100, 0, 1); /* RD, EDNS */
    dns_name(r, out + 12, name);
    uint8_t *p = out + 12 + name;
    put16(p, qtypes[rng_next(r) % (sizeof(qtypes) / sizeof(qtypes[0]))]);
    put16(p + 2, 1); /* IN */
    /* OPT: root name, type 41, 4096-byte UDP size, no flags, no data. */
    p[4] = 0;
    put16(p + 5, 41);
    put16(p + 7, 4096);
    put32(p + 9, 0);
    put16(p + 13, 0);
}

void payload_dns_response(struct rng *r, uint8_t *out, size_t len)
{
    assert(len >= 64);
    size_t name = rng_range(r, 8, 24);
    dns_header(out, (uint32_t)rng_next(r), 0x8180, 1, 0); /* QR RD RA */
    dns_name(r, out + 12, name);
    uint8_t *p = out + 12 + name;
    put16(p, rng_percent(r, 50) ? 16 : 255); /* TXT, ANY */
    put16(p + 2, 1);
    /* One TXT answer whose strings fill the rest: the amplifier's shape. */
    p += 4;
    put16(p, 0xc00c); /* the question's name */
    put16(p + 2, 16);
    put16(p + 4, 1);
    put32(p + 6, rng_range(r, 60, 86400));
    size_t rdlen = len - (size_t)(p + 12 - out);
    put16(p + 10, (uint32_t)rdlen);
    p += 12;
    while (rdlen > 0) {
        size_t n = rdlen - 1 < 255 ? rdlen - 1 : 255;
        *p++ = (uint8_t)n;
        fill_alnum(r, p, n);
        p += n;
        rdlen -= n + 1;
    }
}

void payload_ntp_monlist(struct rng *r, uint8_t *out, size_t len)
{
    /* Mode 7 response, more to come, XNTPD, MON_GETLIST_1: 6 items of 72 bytes. */
    out[0] = 0xd7;
    out[1] = 0x00;
    out[2] = 3;
    out[3] = 42;
    put16(out + 4, 6);
    put16(out + 6, 72);
    rng_fill(r, out + 8, len - 8);
}

void payload_memcached(struct rng *r, uint8_t *out, size_t len)
{
    static const char value[] = "VALUE ", flags[] = " 0 1048576\r\n";
    assert(len >= 40);
    /* UDP frame header: request id, sequence, datagrams, reserved. */
    put16(out, (uint32_t)rng_next(r));
    put16(out + 2, 0);
    put16(out + 4, 1);
    put16(out + 6, 0);
    uint8_t *p = out + 8;
    memcpy(p, value, sizeof(value) - 1);
    p += sizeof(value) - 1;
    fill_alnum(r, p, 10);
    p += 10;
    memcpy(p, flags, sizeof(flags) - 1);
    p += sizeof(flags) - 1;
    rng_fill(r, p, len - (size_t)(p - out));
}

void payload_ssdp(struct rng *r, uint8_t *out, size_t len)
{
    text_around(r, out, len,
                "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
                "LOCATION: http://192.168.1.1:49152/rootDesc.xml\r\n"
                "SERVER: Linux/3.14 UPnP/1.0 miniupnpd/2.1\r\nST: upnp:rootdevice\r\nUSN: uuid:",
                "::upnp:rootdevice\r\n\r\n");
}

void payload_cldap(struct rng *r, uint8_t *out, size_t len)
{
    /* LDAPMessage { id, searchResEntry { objectName "", attributes ... } } */
    assert(len >= 16);
    out[0] = 0x30;
    out[1] = 0x84;
    put32(out + 2, (uint32_t)(len - 6));
    out[6] = 0x02;
    out[7] = 0x01;
    out[8] = (uint8_t)rng_range(r, 1, 127);
    out[9] = 0x64;
    out[10] = 0x84;
    put32(out + 11, (uint32_t)(len - 15));
    rng_fill(r, out + 15, len - 15);
}

/* Test frames for the configuration tests: one Ethernet II frame from a
 * short description, with a correct IPv4 header checksum and UDP length,
 * as the card's parser wants them. Not a traffic generator: just enough to
 * ask the model about single packets. */
#ifndef TEST_FRAMES_H
#define TEST_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TEST_FRAME_MAX 1600

#define TEST_TCP 6
#define TEST_UDP 17
#define TEST_ICMP 1
#define TEST_ICMPV6 58

#define TEST_FIN 0x01
#define TEST_SYN 0x02
#define TEST_RST 0x04
#define TEST_PSH 0x08
#define TEST_ACK 0x10

struct test_packet {
    const char *src, *dst; /* "192.0.2.1" or "2001:db8::1", one family */
    uint8_t proto;
    uint16_t sport, dport; /* TCP and UDP */
    uint8_t tcp_flags;     /* TCP */
    uint8_t icmp_type;     /* ICMP and ICMPv6 */
    unsigned vlans;        /* tags, outermost first */
    uint16_t vid[2];
    bool more_fragments; /* IPv4: MF set, offset 0 (a first fragment) */
    size_t payload;      /* bytes after the L4 header */
};

/* Writes the frame into out and returns its length; 0 if the description
 * cannot be built. */
size_t test_frame(const struct test_packet *p, uint8_t out[TEST_FRAME_MAX]);

#endif

/* Frame building: one Ethernet II frame (no FCS) from a description of its
 * headers, with correct IPv4 header and TCP/UDP/ICMP checksums, IPv4
 * fragmentation, and on request exactly one malformation of the kind the
 * card's parser recognises (hw/regmap/scrub_regmap.def, code MAL). */
#ifndef TRAFGEN_FRAME_H
#define TRAFGEN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 1600 /* a 1500-byte IP packet, Ethernet and two tags */
#define FRAME_MIN 60   /* shorter frames are padded with zeros */
#define LINK_MTU 1500

#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8

#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Malformations; mal_arg parameterises them. */
enum frame_mal {
    FRAME_MAL_NONE,
    FRAME_MAL_IHL,         /* IPv4 IHL := mal_arg (below 5) */
    FRAME_MAL_IP_CHECKSUM, /* IPv4 header checksum ^= mal_arg (non-zero) */
    FRAME_MAL_IP_LENGTH,   /* IP length += mal_arg: beyond the frame */
    FRAME_MAL_TCP_DOFF,    /* TCP data offset := mal_arg (below 5) */
    FRAME_MAL_UDP_LENGTH,  /* UDP length := mal_arg */
};

struct frame_spec {
    unsigned ntags; /* VLAN tags, outermost first */
    uint16_t tpid[2], vid[2];

    bool v6;
    uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
    uint8_t proto;            /* PROTO_*; ICMP is echo, and only over IPv4 */
    uint8_t ttl;              /* hop limit for IPv6 */
    uint16_t ip_id;
    bool df;
    uint32_t flow_label;

    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t tcp_flags;
    uint16_t window;
    const uint8_t *tcp_opts; /* a multiple of 4 bytes */
    size_t tcp_opts_len;
    uint8_t icmp_type;
    uint16_t icmp_id, icmp_seq;

    const uint8_t *payload; /* after the L4 header */
    size_t payload_len;

    /* An IPv4 fragment carrying bytes [frag_off, frag_off + frag_len) of
     * the L4 datagram (header and payload); frag_off a multiple of 8. With
     * raw the fragment lies past any L4 header: the payload is carried as
     * is, and frag_off only sets the offset field. */
    bool frag, more_frags, raw;
    size_t frag_off, frag_len;

    enum frame_mal mal;
    unsigned mal_arg;
};

/* Writes the frame and returns its length (FRAME_MIN..FRAME_MAX). The IP
 * packet must fit LINK_MTU. */
size_t frame_build(const struct frame_spec *s, uint8_t frame[FRAME_MAX]);

#endif

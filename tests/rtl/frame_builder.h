/* Ethernet frames for the parser's scoreboard, built from a description:
 * VLAN tags, IPv4 (options, fragment fields) or IPv6 (extension headers),
 * TCP, UDP or ICMP, payload and padding, with the lengths and the IPv4
 * header checksum right unless the caller breaks them afterwards. */
#ifndef RTL_FRAME_BUILDER_H
#define RTL_FRAME_BUILDER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rtl_tb {

using Bytes = std::vector<uint8_t>;

enum : uint8_t { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMPV6 = 58, PROTO_NONE = 59 };
enum : uint8_t { EXT_HOP = 0, EXT_ROUTING = 43, EXT_FRAGMENT = 44, EXT_DEST = 60 };
enum : uint8_t {
    TCP_FIN = 0x01,
    TCP_SYN = 0x02,
    TCP_RST = 0x04,
    TCP_PSH = 0x08,
    TCP_ACK = 0x10,
    TCP_URG = 0x20,
    TCP_ECE = 0x40,
    TCP_CWR = 0x80,
};

struct Tag {
    uint16_t tpid, tci;
};

struct Ext {
    uint8_t type;
    uint8_t len; /* Hdr Ext Len (8-byte units past the first 8); a fragment header is 8 bytes */
};

struct FrameSpec {
    std::vector<Tag> tags; /* outermost first */
    unsigned family = 4;   /* 4, 6, or 0: ethertype, then payload bytes */
    uint16_t ethertype = 0x0806;
    uint8_t src[16] = {}, dst[16] = {}; /* IPv4 in the last 4 bytes */
    uint8_t proto = PROTO_TCP;          /* IPv4 protocol / the last next header */
    uint8_t tos = 0;                    /* IPv4 TOS / IPv6 traffic class */
    bool df = false, mf = false;        /* mf: IPv4 MF, or the fragment header's M */
    uint16_t frag = 0;                  /* fragment offset, 8-byte units */
    unsigned v4_options = 0;            /* bytes, a multiple of 4 up to 40 */
    std::vector<Ext> exts;              /* IPv6 extension headers in order */
    uint16_t sport = 40000, dport = 80;
    uint8_t tcp_flags = TCP_SYN, tcp_doff = 5;
    uint8_t icmp_type = 8, icmp_code = 0;
    int l4_bytes = -1;    /* bytes of the L4 header written (cut); -1: all */
    unsigned payload = 0; /* bytes after the L4 header, counting up from fill */
    uint8_t fill = 0;
    unsigned pad = 0;     /* zero bytes after the IP packet */
};

/* A well-formed unfragmented packet: "192.0.2.1" / "2001:db8::1" style
 * addresses of one family; TCP SYN 40000 -> 80, UDP 40000 -> 53,
 * ICMP/ICMPv6 echo request. */
FrameSpec frame_spec(const char *src, const char *dst, uint8_t proto);

/* The frame. A later fragment (offset != 0) has no L4 header. */
Bytes frame_build(const FrameSpec &s);

/* Where the model's L2 walk puts the IP header (up to two tags), with the
 * ethertype found there; 0 if the frame is too short for that. */
size_t frame_l3(const Bytes &f, uint16_t *ethertype);

void put16(Bytes &f, size_t off, uint16_t v);
/* Recomputes the IPv4 header checksum of the header at l3 (IHL as it
 * says, if the frame holds it). */
void ipv4_fix_checksum(Bytes &f, size_t l3);

} // namespace rtl_tb

#endif

/* Compiles one ACE (scrub_ace.h) into the card's ACL entries. Owns the
 * expansion rules below, nothing else: where the entries go, their
 * counters and policers are the caller's (the base entry).
 *
 * One ternary card entry cannot hold every RFC 8783 condition, so an ACE
 * expands into several entries, tried in the order given; the ACE matches
 * a packet when any of them does. docs/acl-compile.md has the same rules
 * with examples.
 *
 * - Family: from the ACE's l3 container (ipv4, ipv6), else from the ACL's
 *   type when it admits one family only; the entry then sets the card's v6
 *   bit (value 0 or 1, mask 1). Otherwise the family is left open.
 * - Addresses: IPv4 prefixes a.b.c.d/p become ::ffff:a.b.c.d/(96+p);
 *   IPv6 prefixes are used as they are.
 * - Protocol: the protocol leaf, or implied by the l4 container: tcp 6,
 *   udp 17, icmp 1 for IPv4 and 58 for IPv6. ICMP with the family left
 *   open gives 2 entries (IPv4 and 1, IPv6 and 58). A protocol leaf that
 *   disagrees with the l4 container is an error.
 * - Ports: range lower..upper, eq p (p..p), lte p (0..p), gte p
 *   (p..65535) are one range each; neq p is two ranges (0..p-1 and
 *   p+1..65535, one when p is 0 or 65535).
 * - TCP flags-bitmask and fragment, with the RFC 8783 operators on a
 *   bitmask bm: match, (x & bm) == bm: one entry; not match: one entry per
 *   set bit, that bit 0; any, (x & bm) != 0: one entry per set bit, that
 *   bit 1; not any, (x & bm) == 0: one entry. An empty bitmask with match
 *   or not any is no condition; with any or not match it can never match,
 *   an error. Flags bits 0..7 are FIN SYN RST PSH ACK URG ECE CWR, as on
 *   the card; bits 8..11 (NS, reserved) are not on the card and 12..15 are
 *   the data offset: errors. Fragment bits df, isf, ff, lf map to the
 *   card's DF, ISF, FF, LF; df in an IPv6 ACE is an error.
 * - DSCP: exact. length: exact on the card's L3 length, which is the IPv4
 *   total length, and 40 + the IPv6 payload length (a payload length above
 *   65495 is an error). l3-length (the card's augment): that range as is;
 *   together with length, an error.
 * - vlan (the card's augment): the innermost tag's VID, tag present.
 * - ICMP type and code: exact.
 * - Any leaf the card cannot match (scrub_ace.h lists them: ttl, ecn, ihl,
 *   IPv4 flags/offset/identification, flow-label, TCP sequence and
 *   acknowledgement numbers, data offset, reserved, window, urgent pointer,
 *   options and the flags leaf, UDP length, ICMP rest-of-header) is an
 *   error naming the leaf and the ACE.
 *
 * The entry count is the product of the expansions (protocols x source
 * ranges x destination ranges x flag alternatives x fragment
 * alternatives), at most SCRUB_ACE_MAX_ENTRIES, in that nesting order. */
#ifndef ACL_COMPILE_H
#define ACL_COMPILE_H

#include <stddef.h>

#include "scrub_ace.h"
#include "scrub_entry.h"
#include "scrub_err.h"

/* 2 protocols x 2 x 2 port ranges x 8 flag bits x 4 fragment bits. */
#define SCRUB_ACE_MAX_ENTRIES 256

/* Compiles ace, from an ACL whose type admits acl_family, onto copies of
 * base: base carries everything but the ACE's matches (valid, tenant and
 * profile value/mask, action, count-only, policer, policer bits, counter)
 * and "no condition" in every match field (scrub_acl_entry_any). Writes at
 * most cap entries to out (NULL when cap is 0, to count) and returns how
 * many the ACE needs, or -1 with err naming the ACE and the leaf. */
int scrub_ace_compile(const struct scrub_ace *ace, enum scrub_family acl_family, const struct scrub_acl_entry *base,
                      struct scrub_acl_entry *out, size_t cap, struct scrub_err *err);

#endif

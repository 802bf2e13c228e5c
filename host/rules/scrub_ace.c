#include "scrub_ace.h"

#include <string.h>

uint64_t scrub_ace_rate_limit_bytes(const struct scrub_ace *ace)
{
    if (!ace->has_rate_limit || ace->rate_limit_centi <= 0)
        return 0;
    return ((uint64_t)ace->rate_limit_centi + 99) / 100;
}

enum layer { L3_BOTH, L3_V4, L3_V6, L4_TCP, L4_UDP, L4_ICMP };

static const struct {
    enum layer layer;
    const char *name, *hint;
} leaves[SCRUB_LEAF_COUNT] = {
    [SCRUB_LEAF_ECN] = {L3_BOTH, "ecn", "the card does not see ECN bits"},
    [SCRUB_LEAF_TTL] = {L3_BOTH, "ttl", "the card does not match TTL or hop limit"},
    [SCRUB_LEAF_IHL] = {L3_V4, "ihl", "the card does not match the IPv4 header length"},
    [SCRUB_LEAF_IPV4_FLAGS] = {L3_V4, "flags", "match fragments with the 'fragment' container instead"},
    [SCRUB_LEAF_OFFSET] = {L3_V4, "offset", "match fragments with the 'fragment' container instead"},
    [SCRUB_LEAF_IDENTIFICATION] = {L3_V4, "identification", "the card does not match the IPv4 identification"},
    [SCRUB_LEAF_FLOW_LABEL] = {L3_V6, "flow-label", "the card does not match the IPv6 flow label"},
    [SCRUB_LEAF_TCP_SEQUENCE_NUMBER] = {L4_TCP, "sequence-number", "the card does not match TCP sequence numbers"},
    [SCRUB_LEAF_TCP_ACKNOWLEDGEMENT_NUMBER] = {L4_TCP, "acknowledgement-number",
                                               "the card does not match TCP acknowledgement numbers"},
    [SCRUB_LEAF_TCP_DATA_OFFSET] = {L4_TCP, "data-offset", "the card does not match the TCP data offset"},
    [SCRUB_LEAF_TCP_RESERVED] = {L4_TCP, "reserved", "the card does not match the TCP reserved bits"},
    [SCRUB_LEAF_TCP_FLAGS] = {L4_TCP, "flags", "match TCP flags with 'flags-bitmask' instead"},
    [SCRUB_LEAF_TCP_WINDOW_SIZE] = {L4_TCP, "window-size", "the card does not match the TCP window"},
    [SCRUB_LEAF_TCP_URGENT_POINTER] = {L4_TCP, "urgent-pointer", "the card does not match the urgent pointer"},
    [SCRUB_LEAF_TCP_OPTIONS] = {L4_TCP, "options", "the card does not match TCP options"},
    [SCRUB_LEAF_UDP_LENGTH] = {L4_UDP, "length", "match the IP length ('length' or 'l3-length') instead"},
    [SCRUB_LEAF_ICMP_REST_OF_HEADER] = {L4_ICMP, "rest-of-header", "the card matches only ICMP type and code"},
};

const char *scrub_ace_leaf_container(enum scrub_ace_leaf leaf, enum scrub_family l3)
{
    switch (leaves[leaf].layer) {
    case L3_BOTH:
        return l3 == SCRUB_FAMILY_IPV6 ? "ipv6" : "ipv4";
    case L3_V4:
        return "ipv4";
    case L3_V6:
        return "ipv6";
    case L4_TCP:
        return "tcp";
    case L4_UDP:
        return "udp";
    case L4_ICMP:
        return "icmp";
    }
    return "?";
}

const char *scrub_ace_leaf_name(enum scrub_ace_leaf leaf)
{
    return leaves[leaf].name;
}

const char *scrub_ace_leaf_hint(enum scrub_ace_leaf leaf)
{
    return leaves[leaf].hint;
}

static bool layer_is(enum layer layer, const char *container)
{
    switch (layer) {
    case L3_BOTH:
        return strcmp(container, "ipv4") == 0 || strcmp(container, "ipv6") == 0;
    case L3_V4:
        return strcmp(container, "ipv4") == 0;
    case L3_V6:
        return strcmp(container, "ipv6") == 0;
    case L4_TCP:
        return strcmp(container, "tcp") == 0;
    case L4_UDP:
        return strcmp(container, "udp") == 0;
    case L4_ICMP:
        return strcmp(container, "icmp") == 0;
    }
    return false;
}

enum scrub_ace_leaf scrub_ace_leaf_find(const char *container, const char *name)
{
    for (unsigned i = 0; i < SCRUB_LEAF_COUNT; i++)
        if (layer_is(leaves[i].layer, container) && strcmp(leaves[i].name, name) == 0)
            return (enum scrub_ace_leaf)i;
    return SCRUB_LEAF_COUNT;
}

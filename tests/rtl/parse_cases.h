/* Hand-made frames for every malformation reason, every cause of an
 * unparsed frame and every edge of docs/card.md's "Parser", each with the
 * verdict the spec gives it (the scoreboard checks the model agrees). */
#ifndef RTL_PARSE_CASES_H
#define RTL_PARSE_CASES_H

#include <cstdint>
#include <string>
#include <vector>

#include "frame_builder.h"

namespace rtl_tb {

struct ParseCase {
    std::string name;
    Bytes frame;
    uint32_t len;    /* may exceed frame.size(): the rest is garbage */
    uint8_t kind;    /* enum scrub_pkt_kind */
    uint8_t mal;     /* SCRUB_MAL_* */
};

std::vector<ParseCase> parse_cases();

} // namespace rtl_tb

#endif

/* Random frames for the parser's scoreboard: built from random choices
 * biased to the parser's edges, and mutations of any frame. */
#ifndef RTL_PARSE_RANDOM_H
#define RTL_PARSE_RANDOM_H

#include <cstdint>

#include "frame_builder.h"

namespace rtl_tb {

/* splitmix64 */
class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    /* Uniform in [0, n). */
    uint32_t below(uint32_t n);
    bool chance(unsigned percent);

private:
    uint64_t state_;
};

Bytes random_frame(Rng &r);

/* A frame of len bytes: the first bytes.size() of them are known, the rest
 * (if any) are whatever the scoreboard fills in. */
struct Frame {
    Bytes bytes;
    uint32_t len;
};

/* f with random byte flips in its first 128 bytes, and a truncation or a
 * new length (possibly beyond 16383 or 65535); often the IP lengths and
 * the IPv4 checksum made right again, so that the mutation gets past them
 * to the checks behind. */
Frame mutate(Rng &r, const Bytes &f);

} // namespace rtl_tb

#endif

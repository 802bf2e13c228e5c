/* The Verilated scrub_parse, one window a clock, each result compared with
 * the C model's scrub_parse() on the same frame: every field, the tag, the
 * fixed latency, and no output without a frame. The first mismatch is
 * reported on stderr with the frame. */
#ifndef RTL_PARSE_SCOREBOARD_H
#define RTL_PARSE_SCOREBOARD_H

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "parse.h"
}

#include "frame_builder.h"
#include "parse_random.h"

class VerilatedContext;
class Vscrub_parse;

namespace rtl_tb {

class ParseScoreboard {
public:
    explicit ParseScoreboard(uint64_t seed);
    ~ParseScoreboard();
    ParseScoreboard(const ParseScoreboard &) = delete;
    ParseScoreboard &operator=(const ParseScoreboard &) = delete;

    /* One clock carrying the frame of len bytes, the first bytes.size() of
     * them given; the other bytes of the window are garbage. The model's
     * view of the frame goes to *model. False on a mismatch. */
    bool send(const Bytes &bytes, uint32_t len, const std::string &source, scrub_pkt *model);
    bool idle(unsigned clocks);
    /* Reset for some clocks, with garbage offered: frames in flight are
     * lost. */
    bool reset(unsigned clocks);
    /* Idles until every frame sent has come out. */
    bool drain();

    unsigned latency() const;
    uint64_t checked() const { return checked_; }
    /* Frames compared that the model found of this kind and reason. */
    uint64_t seen(uint8_t kind, uint8_t mal) const { return seen_[kind][mal]; }

private:
    struct InFlight {
        uint64_t cycle;
        uint32_t tag, len;
        std::string source;
        uint8_t window[SCRUB_WINDOW_BYTES];
        scrub_pkt model;
    };

    bool clock(bool valid, bool rst, const uint8_t *window, uint32_t len, uint32_t tag);
    bool check_outputs();
    bool compare(const InFlight &f);

    std::unique_ptr<VerilatedContext> context_;
    std::unique_ptr<Vscrub_parse> top_;
    std::deque<InFlight> in_flight_;
    std::vector<uint8_t> frame_; /* the model's frame: any length up to 2^17 */
    Rng rng_;
    uint64_t cycle_ = 0, checked_ = 0;
    uint32_t next_tag_ = 0;
    uint64_t seen_[4][SCRUB_MAL_COUNT] = {};
};

} // namespace rtl_tb

#endif

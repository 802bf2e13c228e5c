/* The parser's scoreboard: the Verilated scrub_parse against the C model's
 * scrub_parse() on every frame of a capture (scrub-trafgen's), the
 * hand-made cases of parse_cases.cpp, random frames, and random mutations
 * of all of these; back to back, with idle clocks and resets in between.
 * Prints parse_rtl_frames=<n> mismatches=0, or stops at the first
 * mismatch. Every malformation reason and every kind must come up. */
#include <pcap/pcap.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "parse_cases.h"
#include "parse_random.h"
#include "parse_scoreboard.h"

using namespace rtl_tb;

namespace {

constexpr unsigned RANDOM_FRAMES = 50000;
constexpr unsigned MUTATIONS = 120000;
constexpr unsigned CAPTURE_SAMPLE = 16; /* every n-th capture frame is mutated too */

struct Base {
    Bytes bytes;
    std::string source;
};

class Run {
public:
    explicit Run(uint64_t seed) : sb(seed), rng(seed * 0x2545f4914f6cdd1dull + 1) {}

    /* One frame, sometimes after a few idle clocks. */
    bool send(const Bytes &bytes, uint32_t len, const std::string &source, scrub_pkt *model)
    {
        if (rng.chance(12) && !sb.idle(1 + rng.below(3)))
            return false;
        if (rng.below(2000) == 0 && !sb.idle(rng.below(40)))
            return false;
        return sb.send(bytes, len, source, model);
    }

    ParseScoreboard sb;
    Rng rng;
    std::vector<Base> bases; /* what the mutations start from */
};

const char *const KIND_NAMES[] = {"IP", "non-IP", "unparsed", "malformed"};

bool run_cases(Run &run)
{
    for (const ParseCase &c : parse_cases()) {
        scrub_pkt model;
        if (!run.send(c.frame, c.len, "case \"" + c.name + "\"", &model))
            return false;
        if (model.kind != c.kind || model.mal != c.mal) {
            std::fprintf(stderr,
                         "parse_rtl: case \"%s\": the model says %s (mal %u), docs/card.md says %s (mal %u)\n",
                         c.name.c_str(), KIND_NAMES[model.kind], model.mal, KIND_NAMES[c.kind], c.mal);
            return false;
        }
        run.bases.push_back({c.frame, "case \"" + c.name + "\""});
    }
    return true;
}

bool run_capture(Run &run, const char *path, unsigned *frames)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *pcap = pcap_open_offline(path, err);
    if (!pcap) {
        std::fprintf(stderr, "parse_rtl: %s: %s\n", path, err);
        return false;
    }
    bool ok = true;
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int rc;
    unsigned n = 0;
    while (ok && (rc = pcap_next_ex(pcap, &hdr, &data)) == 1) {
        if (hdr->caplen != hdr->len) {
            std::fprintf(stderr, "parse_rtl: %s: frame %u is cut\n", path, n);
            ok = false;
            break;
        }
        Bytes bytes(data, data + hdr->caplen);
        std::string source = "capture frame " + std::to_string(n);
        scrub_pkt model;
        ok = run.send(bytes, hdr->len, source, &model);
        if (n++ % CAPTURE_SAMPLE == 0)
            run.bases.push_back({std::move(bytes), source});
    }
    if (ok && rc != PCAP_ERROR_BREAK) {
        std::fprintf(stderr, "parse_rtl: %s: %s\n", path, pcap_geterr(pcap));
        ok = false;
    }
    pcap_close(pcap);
    *frames = n;
    return ok && n > 0;
}

bool run_random(Run &run)
{
    for (unsigned i = 0; i < RANDOM_FRAMES; i++) {
        Bytes bytes = random_frame(run.rng);
        std::string source = "random frame " + std::to_string(i);
        scrub_pkt model;
        if (!run.send(bytes, (uint32_t)bytes.size(), source, &model))
            return false;
        if (i % 4 == 0)
            run.bases.push_back({std::move(bytes), source});
    }
    return true;
}

bool run_mutations(Run &run)
{
    for (unsigned i = 0; i < MUTATIONS; i++) {
        const Base &base = run.bases[run.rng.below((uint32_t)run.bases.size())];
        Frame m = mutate(run.rng, base.bytes);
        scrub_pkt model;
        if (!run.send(m.bytes, m.len, "mutation " + std::to_string(i) + " of " + base.source, &model))
            return false;
    }
    return true;
}

/* A reset with frames in flight (extra ones: they are lost). */
bool interrupt(Run &run)
{
    if (!run.sb.drain())
        return false;
    for (int i = 0; i < 6; i++) {
        Bytes bytes = random_frame(run.rng);
        scrub_pkt model;
        if (!run.sb.send(bytes, (uint32_t)bytes.size(), "lost to a reset", &model))
            return false;
    }
    return run.sb.reset(1 + run.rng.below(4));
}

/* Every kind, and every malformation reason the parser finds (GIANT is
 * the end of frame's), came up. */
bool covered(const ParseScoreboard &sb)
{
    bool ok = true;
    for (uint8_t kind = SCRUB_PKT_IP; kind < SCRUB_PKT_MALFORMED; kind++) {
        if (!sb.seen(kind, SCRUB_MAL_NONE)) {
            std::fprintf(stderr, "parse_rtl: no %s frame\n", KIND_NAMES[kind]);
            ok = false;
        }
    }
    for (uint8_t mal = SCRUB_MAL_NONE + 1; mal < SCRUB_MAL_COUNT; mal++) {
        if (mal != SCRUB_MAL_GIANT && !sb.seen(SCRUB_PKT_MALFORMED, mal)) {
            std::fprintf(stderr, "parse_rtl: no frame malformed with reason %u\n", mal);
            ok = false;
        }
    }
    return ok;
}

void print_seen(const ParseScoreboard &sb)
{
    std::printf("parse_rtl_seen ip=%" PRIu64 " nonip=%" PRIu64 " unparsed=%" PRIu64 " malformed by reason:",
                sb.seen(SCRUB_PKT_IP, SCRUB_MAL_NONE), sb.seen(SCRUB_PKT_NONIP, SCRUB_MAL_NONE),
                sb.seen(SCRUB_PKT_UNPARSED, SCRUB_MAL_NONE));
    for (uint8_t mal = SCRUB_MAL_NONE + 1; mal < SCRUB_MAL_COUNT; mal++)
        std::printf(" %u=%" PRIu64, mal, sb.seen(SCRUB_PKT_MALFORMED, mal));
    std::printf("\n");
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: %s CAPTURE.pcap [SEED]\n", argv[0]);
        return 2;
    }
    uint64_t seed = argc == 3 ? std::strtoull(argv[2], nullptr, 0) : 1;
    Run run(seed);
    unsigned capture = 0;
    bool ok = run.sb.reset(3) && run_cases(run) && interrupt(run) && run_capture(run, argv[1], &capture) &&
              interrupt(run) && run_random(run) && interrupt(run) && run_mutations(run) && run.sb.drain() &&
              covered(run.sb);
    std::printf("parse_rtl_latency=%u seed=%" PRIu64 " capture_frames=%u\n", run.sb.latency(), seed, capture);
    if (!ok) {
        std::printf("parse_rtl=FAIL after %" PRIu64 " frames\n", run.sb.checked());
        return 1;
    }
    print_seen(run.sb);
    std::printf("parse_rtl_frames=%" PRIu64 " mismatches=0\n", run.sb.checked());
    return 0;
}

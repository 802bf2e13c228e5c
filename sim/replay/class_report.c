#include "class_report.h"

#include <stdlib.h>

#include "scrub_model.h"

int scrub_class_tally_init(struct scrub_class_tally *t, const struct scrub_labels *labels)
{
    t->labels = labels;
    t->by_outcome = calloc(labels->classes ? labels->classes : 1, sizeof(*t->by_outcome));
    return t->by_outcome ? 0 : -1;
}

void scrub_class_tally_add(struct scrub_class_tally *t, uint32_t packet, uint8_t outcome)
{
    t->by_outcome[t->labels->class_of[packet]][outcome]++;
}

void scrub_class_tally_free(struct scrub_class_tally *t)
{
    free(t->by_outcome);
    t->by_outcome = NULL;
}

static double pct(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* "drop_acl 97.1%, drop_policer 2.9%": the outcomes that dropped a class. */
static void print_drop_reasons(FILE *out, const uint64_t *outcomes, uint64_t dropped)
{
    static const char *const names[] = SCRUB_GSTAT_NAMES;
    const char *sep = "";
    for (unsigned o = 0; o < SCRUB_GSTAT_NAMES_LEN; o++) {
        if (scrub_outcome_passes(o) || o == SCRUB_GSTAT_RX || o == SCRUB_GSTAT_TX || !outcomes[o])
            continue;
        fprintf(out, "%s%s %.1f%%", sep, names[o] + 5, pct(outcomes[o], dropped));
        sep = ", ";
    }
}

bool scrub_class_report(FILE *out, const struct scrub_class_tally *t, const struct scrub_counter *gstat)
{
    const struct scrub_labels *l = t->labels;
    uint64_t total[2][3] = {{0}}; /* [legit][offered, dropped, delivered] */
    fprintf(out, "\nPer traffic class (labels)\n");
    fprintf(out, "  %-22s %-6s %9s %9s %9s  %s\n", "class", "kind", "offered", "dropped", "delivered",
            "dropped by");
    for (int legit = 1; legit >= 0; legit--) {
        for (uint32_t c = 0; c < l->classes; c++) {
            if (l->class_legit[c] != legit)
                continue;
            uint64_t offered = 0, delivered = 0;
            for (unsigned o = SCRUB_GSTAT_PASS_UNPROTECTED; o < SCRUB_GSTAT_COUNT; o++) {
                offered += t->by_outcome[c][o];
                delivered += scrub_outcome_passes(o) ? t->by_outcome[c][o] : 0;
            }
            uint64_t dropped = offered - delivered;
            fprintf(out, "  %-22s %-6s %9llu %9llu %9llu  ", l->class_name[c], legit ? "legit" : "attack",
                    (unsigned long long)offered, (unsigned long long)dropped, (unsigned long long)delivered);
            print_drop_reasons(out, t->by_outcome[c], dropped);
            fputc('\n', out);
            total[legit][0] += offered;
            total[legit][1] += dropped;
            total[legit][2] += delivered;
        }
    }
    fprintf(out, "  legitimate: %llu offered, %llu dropped (false positives, %.2f%%), %llu delivered\n",
            (unsigned long long)total[1][0], (unsigned long long)total[1][1], pct(total[1][1], total[1][0]),
            (unsigned long long)total[1][2]);
    fprintf(out, "  attack:     %llu offered, %llu dropped (%.2f%%), %llu delivered (missed, %.2f%%)\n",
            (unsigned long long)total[0][0], (unsigned long long)total[0][1], pct(total[0][1], total[0][0]),
            (unsigned long long)total[0][2], pct(total[0][2], total[0][0]));

    /* The labels' view must add up to the card's own counters. */
    uint64_t delivered = total[0][2] + total[1][2], offered = total[0][0] + total[1][0];
    bool ok = offered == gstat[SCRUB_GSTAT_RX].packets && delivered == gstat[SCRUB_GSTAT_TX].packets;
    fprintf(out, "  cross-check: labelled delivered %llu vs card TX %llu, labelled offered %llu vs card RX %llu: %s\n",
            (unsigned long long)delivered, (unsigned long long)gstat[SCRUB_GSTAT_TX].packets,
            (unsigned long long)offered, (unsigned long long)gstat[SCRUB_GSTAT_RX].packets,
            ok ? "agree" : "DISAGREE");
    return ok;
}

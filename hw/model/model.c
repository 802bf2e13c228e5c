/* The register side of the model: identification, control, the shadowed
 * configuration, the indirect table port, commit and snapshot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static bool params_ok(const struct scrub_model_params *p)
{
    bool pow2 = p->em_buckets && !(p->em_buckets & (p->em_buckets - 1));
    /* The FIFO must hold the longest frame. */
    return p->dest_entries && pow2 && p->acl_entries && p->policers && p->counters >= 2 &&
           p->fifo_beats * SCRUB_BEAT_BYTES >= SCRUB_MAX_FRAME && p->em_buckets <= (1u << 24) &&
           p->dest_entries <= (1u << 24) && p->acl_entries <= (1u << 16) && p->policers <= (1u << 24) &&
           p->counters <= (1u << 26);
}

void scrub_model_free(struct scrub_model *m)
{
    if (!m)
        return;
    free(m->dest_shadow);
    free(m->dest);
    scrub_dirty_free(&m->dest_dirty);
    scrub_dirty_free(&m->acl_dirty);
    scrub_dirty_free(&m->pol_dirty);
    scrub_lpm_free(&m->lpm);
    scrub_em_free(&m->em);
    free(m->acl_shadow);
    free(m->acl);
    scrub_acl_index_free(&m->acl_index);
    free(m->pol_shadow);
    free(m->pol);
    free(m->pol_state);
    free(m->ctr);
    free(m->ctr_snap);
    scrub_fifo_free(&m->fifo);
    free(m);
}

struct scrub_model *scrub_model_new(const struct scrub_model_params *params)
{
    if (!params_ok(params)) {
        errno = EINVAL;
        return NULL;
    }
    struct scrub_model *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->p = *params;
    m->dest_shadow = calloc(params->dest_entries, sizeof(*m->dest_shadow));
    m->dest = calloc(params->dest_entries, sizeof(*m->dest));
    m->acl_shadow = calloc(params->acl_entries, sizeof(*m->acl_shadow));
    m->acl = calloc(params->acl_entries, sizeof(*m->acl));
    m->pol_shadow = calloc(params->policers, sizeof(*m->pol_shadow));
    m->pol = calloc(params->policers, sizeof(*m->pol));
    m->pol_state = calloc(params->policers, sizeof(*m->pol_state));
    m->ctr = calloc(params->counters, sizeof(*m->ctr));
    m->ctr_snap = calloc(params->counters, sizeof(*m->ctr_snap));
    if (!m->dest_shadow || !m->dest || !m->acl_shadow || !m->acl || !m->pol_shadow || !m->pol || !m->pol_state ||
        !m->ctr || !m->ctr_snap || scrub_em_init(&m->em, params->em_buckets) ||
        scrub_fifo_init(&m->fifo, params->fifo_beats) || scrub_lpm_init(&m->lpm, params->dest_entries) ||
        scrub_acl_index_init(&m->acl_index, params->acl_entries) ||
        scrub_dirty_init(&m->dest_dirty, params->dest_entries) || scrub_dirty_init(&m->acl_dirty, params->acl_entries) ||
        scrub_dirty_init(&m->pol_dirty, params->policers)) {
        scrub_model_free(m);
        errno = ENOMEM;
        return NULL;
    }
    scrub_lpm_build(&m->lpm, m->dest, params->dest_entries);
    scrub_acl_index_build(&m->acl_index, m->acl);
    return m;
}

void scrub_model_set_time(struct scrub_model *m, uint64_t ns)
{
    if (ns > m->now)
        m->now = ns;
    scrub_model_update_watchdog(m);
}

void scrub_model_set_acl_linear(struct scrub_model *m, bool linear)
{
    m->acl_linear = linear;
}

void scrub_model_update_watchdog(struct scrub_model *m)
{
    if (m->wdog_timeout_ms && m->now - m->wdog_kicked > (uint64_t)m->wdog_timeout_ms * 1000000u)
        m->wdog_expired = true;
}

static void kick(struct scrub_model *m)
{
    m->wdog_kicked = m->now;
    m->wdog_expired = false;
}

/* ---- commit and snapshot ---------------------------------------------------- */

/* Copies what was written since the last commit; the lookup structures
 * change with it: the LPM is rebuilt when a destination changed, the ACL
 * index changes entry by entry (rebuilt when most entries changed). What
 * was not written equals its shadow already, and an unwritten policer's
 * reconfiguration would change nothing. */
static void commit(struct scrub_model *m)
{
    m->cfg_actions = m->cfg_actions_shadow;
    for (uint32_t k = 0; k < m->dest_dirty.n; k++) {
        uint32_t i = m->dest_dirty.list[k];
        m->dest[i] = m->dest_shadow[i];
    }
    if (m->dest_dirty.n)
        scrub_lpm_build(&m->lpm, m->dest, m->p.dest_entries);
    bool rebuild = m->acl_dirty.n > m->p.acl_entries / 4;
    for (uint32_t k = 0; k < m->acl_dirty.n; k++) {
        uint32_t i = m->acl_dirty.list[k];
        if (!rebuild && scrub_acl_index_change(&m->acl_index, i, &m->acl[i], &m->acl_shadow[i]))
            rebuild = true;
        m->acl[i] = m->acl_shadow[i];
    }
    if (rebuild)
        scrub_acl_index_build(&m->acl_index, m->acl);
    for (uint32_t k = 0; k < m->pol_dirty.n; k++) {
        uint32_t i = m->pol_dirty.list[k];
        struct scrub_policer_entry *shadow = &m->pol_shadow[i];
        scrub_policer_reconfigure(&m->pol[i], shadow, &m->pol_state[i], m->now);
        m->pol[i] = *shadow;
        m->pol[i].reset = shadow->reset = false;
    }
    scrub_dirty_clear(&m->dest_dirty);
    scrub_dirty_clear(&m->acl_dirty);
    scrub_dirty_clear(&m->pol_dirty);
    m->commit_count++;
}

static void snapshot(struct scrub_model *m)
{
    memcpy(m->ctr_snap, m->ctr, m->p.counters * sizeof(*m->ctr));
    memcpy(m->gstat_snap, m->gstat, sizeof(m->gstat));
}

/* ---- the indirect table port ------------------------------------------------ */

/* A BAD_ENTRY result names the data word of the offending field. */
static uint8_t bad_entry(struct scrub_model *m, unsigned word)
{
    m->tbl_result = word;
    return SCRUB_STATUS_BAD_ENTRY;
}

static bool counter_ok(const struct scrub_model *m, uint32_t c, unsigned pairs)
{
    return c < m->p.counters && m->p.counters - c >= pairs;
}

static bool addr_within_mask(const struct scrub_addr *v, const struct scrub_addr *mask)
{
    for (unsigned i = 0; i < 16; i++)
        if (v->b[i] & ~mask->b[i])
            return false;
    return true;
}

static uint8_t check_dest(struct scrub_model *m, const struct scrub_dest_entry *e)
{
    if (!e->valid)
        return SCRUB_STATUS_OK;
    if (e->plen > 128)
        return bad_entry(m, SCRUB_DEST_PLEN_WORD);
    struct scrub_addr mask = scrub_addr_mask(e->plen);
    if (!addr_within_mask(&e->prefix, &mask))
        return bad_entry(m, SCRUB_DEST_PREFIX_WORD);
    if (!counter_ok(m, e->counter, 2))
        return bad_entry(m, SCRUB_DEST_COUNTER_WORD);
    return SCRUB_STATUS_OK;
}

/* A policer, or a group of 2^bits policers from it, within the card. */
static bool policers_ok(const struct scrub_model *m, uint32_t first, unsigned bits)
{
    return first < m->p.policers && m->p.policers - first >= (1u << bits);
}

static uint8_t check_acl(struct scrub_model *m, const struct scrub_acl_entry *e)
{
    if (!e->valid)
        return SCRUB_STATUS_OK;
    if (!addr_within_mask(&e->src_value, &e->src_mask))
        return bad_entry(m, SCRUB_ACL_SRC_VALUE_WORD);
    if (!addr_within_mask(&e->dst_value, &e->dst_mask))
        return bad_entry(m, SCRUB_ACL_DST_VALUE_WORD);
    if (e->sport_lo > e->sport_hi)
        return bad_entry(m, SCRUB_ACL_SPORT_LO_WORD);
    if (e->dport_lo > e->dport_hi)
        return bad_entry(m, SCRUB_ACL_DPORT_LO_WORD);
    if (e->len_lo > e->len_hi)
        return bad_entry(m, SCRUB_ACL_LEN_LO_WORD);
    if (e->action > SCRUB_ACTION_POLICE)
        return bad_entry(m, SCRUB_ACL_ACTION_WORD);
    if (e->policer_bits > 16)
        return bad_entry(m, SCRUB_ACL_POLICER_BITS_WORD);
    if (e->action == SCRUB_ACTION_POLICE && !policers_ok(m, e->policer, e->policer_bits))
        return bad_entry(m, SCRUB_ACL_POLICER_WORD);
    if (!counter_ok(m, e->counter, 1))
        return bad_entry(m, SCRUB_ACL_COUNTER_WORD);
    return SCRUB_STATUS_OK;
}

static uint8_t check_em(struct scrub_model *m, const struct scrub_em_entry *e)
{
    if (e->action > SCRUB_ACTION_POLICE)
        return bad_entry(m, SCRUB_EM_ACTION_WORD);
    if (e->action == SCRUB_ACTION_POLICE && !policers_ok(m, e->policer, 0))
        return bad_entry(m, SCRUB_EM_POLICER_WORD);
    if (!counter_ok(m, e->counter, 1))
        return bad_entry(m, SCRUB_EM_COUNTER_WORD);
    return SCRUB_STATUS_OK;
}

static uint8_t check_policer(struct scrub_model *m, const struct scrub_policer_entry *e)
{
    if (e->rate > SCRUB_POLICER_RATE_MAX)
        return bad_entry(m, SCRUB_POLICER_RATE_WORD);
    if (!counter_ok(m, e->counter, 2))
        return bad_entry(m, SCRUB_POLICER_COUNTER_WORD);
    return SCRUB_STATUS_OK;
}

static uint8_t table_dest(struct scrub_model *m, uint32_t cmd, uint32_t i)
{
    if (i >= m->p.dest_entries)
        return SCRUB_STATUS_BAD_INDEX;
    if (cmd == SCRUB_CMD_READ) {
        scrub_dest_pack(&m->dest_shadow[i], m->data);
        return SCRUB_STATUS_OK;
    }
    struct scrub_dest_entry e;
    scrub_dest_unpack(m->data, &e);
    uint8_t st = check_dest(m, &e);
    if (st == SCRUB_STATUS_OK) {
        m->dest_shadow[i] = e;
        scrub_dirty_mark(&m->dest_dirty, i);
    }
    return st;
}

static uint8_t table_acl(struct scrub_model *m, uint32_t cmd, uint32_t i)
{
    if (i >= m->p.acl_entries)
        return SCRUB_STATUS_BAD_INDEX;
    if (cmd == SCRUB_CMD_READ) {
        scrub_acl_pack(&m->acl_shadow[i], m->data);
        return SCRUB_STATUS_OK;
    }
    struct scrub_acl_entry e;
    scrub_acl_unpack(m->data, &e);
    uint8_t st = check_acl(m, &e);
    if (st == SCRUB_STATUS_OK) {
        m->acl_shadow[i] = e;
        scrub_dirty_mark(&m->acl_dirty, i);
    }
    return st;
}

static uint8_t table_policer(struct scrub_model *m, uint32_t cmd, uint32_t i)
{
    if (i >= m->p.policers)
        return SCRUB_STATUS_BAD_INDEX;
    if (cmd == SCRUB_CMD_READ) {
        struct scrub_policer_entry e = m->pol_shadow[i];
        e.reset = false;
        e.tokens = m->pol_state[i].tokens;
        e.last = m->pol_state[i].last;
        scrub_policer_pack(&e, m->data);
        return SCRUB_STATUS_OK;
    }
    struct scrub_policer_entry e;
    scrub_policer_unpack(m->data, &e);
    e.tokens = e.last = 0;
    uint8_t st = check_policer(m, &e);
    if (st == SCRUB_STATUS_OK) {
        m->pol_shadow[i] = e;
        scrub_dirty_mark(&m->pol_dirty, i);
    }
    return st;
}

static uint8_t table_em(struct scrub_model *m, uint32_t cmd, uint32_t i)
{
    struct scrub_em_entry e;
    scrub_em_unpack(m->data, &e);
    int32_t slot;
    switch (cmd) {
    case SCRUB_CMD_READ:
        if (i >= m->em.size)
            return SCRUB_STATUS_BAD_INDEX;
        scrub_em_pack(&m->em.slots[i], m->data);
        return SCRUB_STATUS_OK;
    case SCRUB_CMD_EM_INSERT: {
        uint8_t st = check_em(m, &e);
        if (st != SCRUB_STATUS_OK)
            return st;
        st = scrub_em_insert(&m->em, &e, &slot);
        if (st == SCRUB_STATUS_OK)
            m->tbl_result = (uint32_t)slot;
        return st;
    }
    case SCRUB_CMD_EM_DELETE:
        return scrub_em_delete(&m->em, e.tenant, &e.addr);
    case SCRUB_CMD_EM_LOOKUP:
        slot = scrub_em_find(&m->em, e.tenant, &e.addr);
        if (slot < 0)
            return SCRUB_STATUS_NOT_FOUND;
        scrub_em_pack(&m->em.slots[slot], m->data);
        m->tbl_result = (uint32_t)slot;
        return SCRUB_STATUS_OK;
    default:
        return SCRUB_STATUS_BAD_CMD;
    }
}

static uint8_t table_counters(struct scrub_model *m, uint32_t cmd, uint32_t i, struct scrub_counter *live,
                              const struct scrub_counter *snap, uint32_t n, bool writable)
{
    if (i >= n)
        return SCRUB_STATUS_BAD_INDEX;
    if (cmd == SCRUB_CMD_READ) {
        scrub_counter_pack(&snap[i], m->data);
        return SCRUB_STATUS_OK;
    }
    if (!writable)
        return SCRUB_STATUS_BAD_CMD;
    scrub_counter_unpack(m->data, &live[i]);
    return SCRUB_STATUS_OK;
}

static uint8_t table_command(struct scrub_model *m, uint32_t cmd)
{
    uint32_t i = m->tbl_index;
    bool rw = cmd == SCRUB_CMD_READ || cmd == SCRUB_CMD_WRITE;
    switch (m->tbl_select) {
    case SCRUB_TABLE_DEST:
        return rw ? table_dest(m, cmd, i) : SCRUB_STATUS_BAD_CMD;
    case SCRUB_TABLE_EM:
        return table_em(m, cmd, i);
    case SCRUB_TABLE_ACL:
        return rw ? table_acl(m, cmd, i) : SCRUB_STATUS_BAD_CMD;
    case SCRUB_TABLE_POLICER:
        return rw ? table_policer(m, cmd, i) : SCRUB_STATUS_BAD_CMD;
    case SCRUB_TABLE_COUNTER:
        return rw ? table_counters(m, cmd, i, m->ctr, m->ctr_snap, m->p.counters, true) : SCRUB_STATUS_BAD_CMD;
    case SCRUB_TABLE_GSTAT:
        return rw ? table_counters(m, cmd, i, m->gstat, m->gstat_snap, SCRUB_GSTAT_COUNT, false)
                  : SCRUB_STATUS_BAD_CMD;
    default:
        return SCRUB_STATUS_BAD_TABLE;
    }
}

/* ---- AXI4-Lite -------------------------------------------------------------------- */

uint32_t scrub_model_read(struct scrub_model *m, uint32_t addr)
{
    if (addr >= SCRUB_REG_TBL_DATA && addr < SCRUB_REG_TBL_DATA + 4 * SCRUB_DATA_WORDS && addr % 4 == 0)
        return m->data[(addr - SCRUB_REG_TBL_DATA) / 4];
    switch (addr) {
    case SCRUB_REG_MAGIC:
        return SCRUB_MAGIC_VALUE;
    case SCRUB_REG_VERSION:
        return SCRUB_REG_VERSION_RESET;
    case SCRUB_REG_CAP_MATCH:
        return SCRUB_REG_CAP_MATCH_RESET;
    case SCRUB_REG_CAP_ACTION:
        return SCRUB_REG_CAP_ACTION_RESET;
    case SCRUB_REG_CAP_DEST:
        return m->p.dest_entries;
    case SCRUB_REG_CAP_EM_BUCKETS:
        return m->p.em_buckets;
    case SCRUB_REG_CAP_EM_GEOM:
        return SCRUB_EM_WAYS << SCRUB_CAP_EM_GEOM_WAYS_LSB | SCRUB_EM_SLOTS << SCRUB_CAP_EM_GEOM_SLOTS_LSB |
               SCRUB_EM_STASH << SCRUB_CAP_EM_GEOM_STASH_LSB;
    case SCRUB_REG_CAP_ACL:
        return m->p.acl_entries;
    case SCRUB_REG_CAP_POLICERS:
        return m->p.policers;
    case SCRUB_REG_CAP_COUNTERS:
        return m->p.counters;
    case SCRUB_REG_CAP_FIFO_BEATS:
        return m->p.fifo_beats;
    case SCRUB_REG_CAP_WINDOW:
        return SCRUB_WINDOW_BYTES;
    case SCRUB_REG_CAP_COUNT_ONLY:
        return SCRUB_COUNT_ONLY_MAX;
    case SCRUB_REG_CTRL:
        return m->ctrl;
    case SCRUB_REG_STATUS:
        scrub_model_update_watchdog(m);
        return m->wdog_expired ? SCRUB_STATUS_WDOG_EXPIRED_MASK : 0; /* commands finish at once */
    case SCRUB_REG_WDOG_TIMEOUT:
        return m->wdog_timeout_ms;
    case SCRUB_REG_TIME_LO:
        m->time_hi_latch = (uint32_t)(m->now >> 32);
        return (uint32_t)m->now;
    case SCRUB_REG_TIME_HI:
        return m->time_hi_latch;
    case SCRUB_REG_COMMIT_COUNT:
        return m->commit_count;
    case SCRUB_REG_COOKIE_LO:
        return m->cookie_lo;
    case SCRUB_REG_COOKIE_HI:
        return m->cookie_hi;
    case SCRUB_REG_CFG_ACTIONS:
        return m->cfg_actions_shadow;
    case SCRUB_REG_TBL_SELECT:
        return m->tbl_select;
    case SCRUB_REG_TBL_INDEX:
        return m->tbl_index;
    case SCRUB_REG_TBL_STATUS:
        return m->tbl_status;
    case SCRUB_REG_TBL_RESULT:
        return m->tbl_result;
    default:
        return 0;
    }
}

void scrub_model_write(struct scrub_model *m, uint32_t addr, uint32_t v)
{
    if (addr >= SCRUB_REG_TBL_DATA && addr < SCRUB_REG_TBL_DATA + 4 * SCRUB_DATA_WORDS && addr % 4 == 0) {
        m->data[(addr - SCRUB_REG_TBL_DATA) / 4] = v;
        return;
    }
    switch (addr) {
    case SCRUB_REG_CTRL:
        m->ctrl = v & (SCRUB_CTRL_ENABLE_MASK | SCRUB_CTRL_FAIL_CLOSED_MASK);
        break;
    case SCRUB_REG_COMMIT:
        if (v & 1)
            commit(m);
        break;
    case SCRUB_REG_SNAPSHOT:
        if (v & 1)
            snapshot(m);
        break;
    case SCRUB_REG_WDOG_TIMEOUT:
        m->wdog_timeout_ms = v;
        kick(m);
        break;
    case SCRUB_REG_WDOG_KICK:
        kick(m);
        break;
    case SCRUB_REG_COOKIE_LO:
        m->cookie_lo = v;
        break;
    case SCRUB_REG_COOKIE_HI:
        m->cookie_hi = v;
        break;
    case SCRUB_REG_CFG_ACTIONS:
        m->cfg_actions_shadow = v & (SCRUB_CFG_ACTIONS_ACL_DEFAULT_MASK | SCRUB_CFG_ACTIONS_NONIP_MASK |
                                     SCRUB_CFG_ACTIONS_UNPARSED_MASK | SCRUB_CFG_ACTIONS_MALFORMED_MASK);
        break;
    case SCRUB_REG_TBL_SELECT:
        m->tbl_select = v;
        break;
    case SCRUB_REG_TBL_INDEX:
        m->tbl_index = v;
        break;
    case SCRUB_REG_TBL_CMD:
        m->tbl_result = 0;
        m->tbl_status = table_command(m, v);
        break;
    default:
        break;
    }
}

uint32_t scrub_model_output_pop(struct scrub_model *m, uint8_t *buf, uint32_t cap, uint64_t *ts_ns)
{
    return scrub_fifo_pop(&m->fifo, buf, cap, ts_ns);
}

#include "hash.h"

#include <pthread.h>

static uint32_t crc32c_table[256], crc32_table[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void fill(uint32_t *table, uint32_t poly)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ poly : c >> 1;
        table[i] = c;
    }
}

static void fill_tables(void)
{
    fill(crc32c_table, 0x82f63b78u);
    fill(crc32_table, 0xedb88320u);
}

static uint32_t crc(const uint32_t *table, const uint8_t *data, size_t len)
{
    pthread_once(&tables_once, fill_tables);
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++)
        c = table[(c ^ data[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

uint32_t scrub_crc32c(const uint8_t *data, size_t len)
{
    return crc(crc32c_table, data, len);
}

uint32_t scrub_crc32(const uint8_t *data, size_t len)
{
    return crc(crc32_table, data, len);
}

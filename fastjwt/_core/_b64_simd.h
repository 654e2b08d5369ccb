/* Base64url decoding 32 characters at a time with AVX2, for the compiled core (_core_c.pyx).
 *
 * Only the bulk of a segment goes through here: whole 32-character blocks of the URL-safe alphabet, while the output
 * has room for a full 32-byte store. The first block holding any other byte stops the loop, and the scalar decoder
 * goes on from there (it finds and reports the bad character, and decodes the tail). So this code never decides that
 * input is invalid; it only decodes blocks it has checked are entirely valid.
 *
 * Built on x86-64 Linux, where GCC and Clang can target AVX2 for one function and libgcc answers
 * __builtin_cpu_supports, and used only when the CPU has AVX2. Everywhere else (macOS, whose toolchains have not
 * always provided __builtin_cpu_supports, Windows, ARM) fastjwt_b64url_decode_blocks consumes nothing and the scalar
 * decoder does all the work. Define FASTJWT_NO_SIMD to build without it.
 */
#ifndef FASTJWT_B64_SIMD_H
#define FASTJWT_B64_SIMD_H

#include <Python.h>

#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && !defined(FASTJWT_NO_SIMD)
#include <immintrin.h>

static int fastjwt_simd_ready = -1;

static int fastjwt_have_avx2(void) {
    if (fastjwt_simd_ready < 0) {
        __builtin_cpu_init();
        fastjwt_simd_ready = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return fastjwt_simd_ready;
}

#define FASTJWT_RANGE(c, lo, hi) \
    _mm256_and_si256(_mm256_cmpgt_epi8((c), _mm256_set1_epi8(lo)), _mm256_cmpgt_epi8(_mm256_set1_epi8(hi), (c)))

__attribute__((target("avx2")))
static Py_ssize_t fastjwt_b64url_decode_avx2(const unsigned char *src, Py_ssize_t n, unsigned char *dst,
                                             Py_ssize_t out_len) {
    Py_ssize_t i = 0, j = 0;
    const __m256i pair_weights = _mm256_set1_epi32(0x01400140);  /* bytes (a, b) -> a * 64 + b */
    const __m256i quad_weights = _mm256_set1_epi32(0x00011000);  /* words (x, y) -> x * 4096 + y */
    /* each 32-bit lane holds 0x00RRGGBB with the first output byte in RR: take bytes 2, 1, 0 of every lane */
    const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
                                           2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);  /* 12 + 12 bytes, then don't-care */
    while (i + 32 <= n && j + 32 <= out_len) {
        const __m256i c = _mm256_loadu_si256((const __m256i *)(src + i));
        /* signed compares: bytes >= 0x80 are negative, so they fall in no range and fail the check */
        const __m256i upper = FASTJWT_RANGE(c, 0x40, 0x5B);  /* A-Z -> 0..25 */
        const __m256i lower = FASTJWT_RANGE(c, 0x60, 0x7B);  /* a-z -> 26..51 */
        const __m256i digit = FASTJWT_RANGE(c, 0x2F, 0x3A);  /* 0-9 -> 52..61 */
        const __m256i dash = _mm256_cmpeq_epi8(c, _mm256_set1_epi8(0x2D));        /* - -> 62 */
        const __m256i underscore = _mm256_cmpeq_epi8(c, _mm256_set1_epi8(0x5F));  /* _ -> 63 */
        const __m256i valid = _mm256_or_si256(_mm256_or_si256(upper, lower),
                                              _mm256_or_si256(digit, _mm256_or_si256(dash, underscore)));
        if (_mm256_movemask_epi8(valid) != -1) {
            break;
        }
        __m256i shift = _mm256_and_si256(upper, _mm256_set1_epi8(-65));
        shift = _mm256_or_si256(shift, _mm256_and_si256(lower, _mm256_set1_epi8(-71)));
        shift = _mm256_or_si256(shift, _mm256_and_si256(digit, _mm256_set1_epi8(4)));
        shift = _mm256_or_si256(shift, _mm256_and_si256(dash, _mm256_set1_epi8(62 - 0x2D)));
        shift = _mm256_or_si256(shift, _mm256_and_si256(underscore, _mm256_set1_epi8(63 - 0x5F)));
        const __m256i sextets = _mm256_add_epi8(c, shift);
        __m256i packed = _mm256_madd_epi16(_mm256_maddubs_epi16(sextets, pair_weights), quad_weights);
        packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(packed, order), lanes);
        _mm256_storeu_si256((__m256i *)(dst + j), packed);  /* 24 bytes are output, 8 are overwritten later */
        i += 32;
        j += 24;
    }
    return i;
}

/* Decode whole valid 32-character blocks from the start of src into dst (out_len bytes of room); returns the number
 * of characters consumed, a multiple of 32 (3/4 of it written to dst). */
static Py_ssize_t fastjwt_b64url_decode_blocks(const unsigned char *src, Py_ssize_t n, unsigned char *dst,
                                               Py_ssize_t out_len) {
    if (n < 32 || out_len < 32 || !fastjwt_have_avx2()) {
        return 0;
    }
    return fastjwt_b64url_decode_avx2(src, n, dst, out_len);
}

#undef FASTJWT_RANGE

#else

static Py_ssize_t fastjwt_b64url_decode_blocks(const unsigned char *src, Py_ssize_t n, unsigned char *dst,
                                               Py_ssize_t out_len) {
    (void)src;
    (void)n;
    (void)dst;
    (void)out_len;
    return 0;
}

#endif

#endif /* FASTJWT_B64_SIMD_H */

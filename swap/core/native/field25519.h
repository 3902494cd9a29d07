/*
 * GF(p), p = 2^255 - 19, in radix 2^51 for sigv1_commitment.c: five 64-bit limbs, products in
 * 128 bits. Not written to be constant time: it only ever handles public data.
 *
 * Bounds on limbs (checked where each formula is written): a "reduced" element (output of
 * fe_mul, fe_sq, fe_carry, fe_frombytes) has limbs < 2^52; fe_sub(f, g) adds 8p, so it needs
 * every limb of g <= 8p's (about 2^54) and returns limbs < f + 2^54; multiplication accepts
 * limbs < 2^56 (then 19·g < 2^61 and each 128-bit column sum < 2^120).
 */

#ifndef SWAP_FIELD25519_H
#define SWAP_FIELD25519_H

#include <stdint.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

typedef struct {
    uint64_t v[5];
} fe;

#define MASK51 ((UINT64_C(1) << 51) - 1)
#define EIGHT_P_LOW UINT64_C(0x3FFFFFFFFFFF68)  /* 8·(2^51 - 19): limb 0 of 8p */
#define EIGHT_P_HIGH UINT64_C(0x3FFFFFFFFFFFF8) /* 8·(2^51 - 1): limbs 1..4 of 8p */

static const fe FE_ZERO = {{0, 0, 0, 0, 0}};
static const fe FE_ONE = {{1, 0, 0, 0, 0}};

static inline void fe_add(fe *h, const fe *f, const fe *g)
{
    for (int i = 0; i < 5; i++) {
        h->v[i] = f->v[i] + g->v[i];
    }
}

/* h = f - g + 8p; every limb of g must be at most the matching limb of 8p (about 2^54). */
static inline void fe_sub(fe *h, const fe *f, const fe *g)
{
    h->v[0] = f->v[0] + EIGHT_P_LOW - g->v[0];
    for (int i = 1; i < 5; i++) {
        h->v[i] = f->v[i] + EIGHT_P_HIGH - g->v[i];
    }
}

/* Carry so that limbs are < 2^51 (limb 0 may exceed by 19·2^13): value unchanged mod p. */
static inline void fe_carry(fe *h)
{
    uint64_t c;
    c = h->v[0] >> 51;
    h->v[0] &= MASK51;
    h->v[1] += c;
    c = h->v[1] >> 51;
    h->v[1] &= MASK51;
    h->v[2] += c;
    c = h->v[2] >> 51;
    h->v[2] &= MASK51;
    h->v[3] += c;
    c = h->v[3] >> 51;
    h->v[3] &= MASK51;
    h->v[4] += c;
    c = h->v[4] >> 51;
    h->v[4] &= MASK51;
    h->v[0] += 19 * c;
}

/* h = -f, reduced. */
static inline void fe_neg(fe *h, const fe *f)
{
    fe_sub(h, &FE_ZERO, f);
    fe_carry(h);
}

/* Fold five 128-bit column sums into a reduced element: 2^255 = 19 (mod p). */
static inline void fe_fold(fe *h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
    r1 += r0 >> 51;
    r2 += r1 >> 51;
    r3 += r2 >> 51;
    r4 += r3 >> 51;
    u128 low = (u128)((uint64_t)r0 & MASK51) + (r4 >> 51) * 19; /* < 2^76 */
    h->v[0] = (uint64_t)low & MASK51;
    h->v[1] = ((uint64_t)r1 & MASK51) + (uint64_t)(low >> 51); /* < 2^51 + 2^25 */
    h->v[2] = (uint64_t)r2 & MASK51;
    h->v[3] = (uint64_t)r3 & MASK51;
    h->v[4] = (uint64_t)r4 & MASK51;
}

/* Schoolbook product; column k also collects 19·f_i·g_j for i + j = k + 5. */
static inline void fe_mul(fe *h, const fe *f, const fe *g)
{
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    const uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    u128 r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 + (u128)f4 * g1_19;
    u128 r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 + (u128)f4 * g2_19;
    u128 r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 + (u128)f4 * g3_19;
    u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
    u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
    fe_fold(h, r0, r1, r2, r3, r4);
}

/* f², the symmetric products counted once and doubled. */
static inline void fe_sq(fe *h, const fe *f)
{
    const uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    const uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f2_2 = 2 * f2, f3_2 = 2 * f3;
    const uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
    u128 r0 = (u128)f0 * f0 + (u128)f1_2 * f4_19 + (u128)f2_2 * f3_19;
    u128 r1 = (u128)f0_2 * f1 + (u128)f2_2 * f4_19 + (u128)f3 * f3_19;
    u128 r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_2 * f4_19;
    u128 r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4 * f4_19;
    u128 r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
    fe_fold(h, r0, r1, r2, r3, r4);
}

/* h = f^(2^n), n >= 1. */
static void fe_sqn(fe *h, const fe *f, int n)
{
    fe_sq(h, f);
    while (--n > 0) {
        fe_sq(h, h);
    }
}

/* f^(2^250 - 1), the common prefix of the exponents below; also returns f^11. */
static void fe_pow_2_250_m1(fe *out, fe *f11, const fe *f)
{
    fe f2, f9, t, e5, e10, e20, e40, e50, e100;
    fe_sq(&f2, f);             /* f^2 */
    fe_sqn(&t, &f2, 2);        /* f^8 */
    fe_mul(&f9, &t, f);        /* f^9 */
    fe_mul(f11, &f9, &f2);     /* f^11 */
    fe_sq(&t, f11);            /* f^22 */
    fe_mul(&e5, &t, &f9);      /* f^31 = f^(2^5 - 1) */
    fe_sqn(&t, &e5, 5);
    fe_mul(&e10, &t, &e5);     /* f^(2^10 - 1) */
    fe_sqn(&t, &e10, 10);
    fe_mul(&e20, &t, &e10);    /* f^(2^20 - 1) */
    fe_sqn(&t, &e20, 20);
    fe_mul(&e40, &t, &e20);    /* f^(2^40 - 1) */
    fe_sqn(&t, &e40, 10);
    fe_mul(&e50, &t, &e10);    /* f^(2^50 - 1) */
    fe_sqn(&t, &e50, 50);
    fe_mul(&e100, &t, &e50);   /* f^(2^100 - 1) */
    fe_sqn(&t, &e100, 100);
    fe_mul(&t, &t, &e100);     /* f^(2^200 - 1) */
    fe_sqn(&t, &t, 50);
    fe_mul(out, &t, &e50);     /* f^(2^250 - 1) */
}

/* 1/f = f^(p - 2) = f^(2^255 - 21) = (f^(2^250 - 1))^(2^5) · f^11. */
static void fe_invert(fe *h, const fe *f)
{
    fe t, f11;
    fe_pow_2_250_m1(&t, &f11, f);
    fe_sqn(&t, &t, 5);
    fe_mul(h, &t, &f11);
}

/* f^((p - 5)/8) = f^(2^252 - 3) = (f^(2^250 - 1))^4 · f: the square-root exponent. */
static void fe_pow_p58(fe *h, const fe *f)
{
    fe t, f11;
    fe_pow_2_250_m1(&t, &f11, f);
    fe_sqn(&t, &t, 2);
    fe_mul(h, &t, f);
}

static inline uint64_t load64_le(const uint8_t *s)
{
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--) {
        w = (w << 8) | s[i];
    }
    return w;
}

static inline void store64_le(uint8_t *s, uint64_t w)
{
    for (int i = 0; i < 8; i++) {
        s[i] = (uint8_t)(w >> (8 * i));
    }
}

/* The low 255 bits of s (bit 255, the sign of x in a point encoding, is ignored). */
static void fe_frombytes(fe *h, const uint8_t s[32])
{
    const uint64_t w0 = load64_le(s), w1 = load64_le(s + 8), w2 = load64_le(s + 16), w3 = load64_le(s + 24);
    h->v[0] = w0 & MASK51;
    h->v[1] = ((w0 >> 51) | (w1 << 13)) & MASK51;
    h->v[2] = ((w1 >> 38) | (w2 << 26)) & MASK51;
    h->v[3] = ((w2 >> 25) | (w3 << 39)) & MASK51;
    h->v[4] = (w3 >> 12) & MASK51;
}

/* The canonical representative (in [0, p)), limbs < 2^51. Input limbs must be < 2^63. */
static void fe_canonical(uint64_t out[5], const fe *f)
{
    fe h = *f;
    fe_carry(&h); /* now h < 2^255 + 19·2^13 < 2p */
    uint64_t q = (h.v[0] + 19) >> 51; /* q = 1 iff h + 19 >= 2^255, i.e. h >= p */
    q = (h.v[1] + q) >> 51;
    q = (h.v[2] + q) >> 51;
    q = (h.v[3] + q) >> 51;
    q = (h.v[4] + q) >> 51;
    h.v[0] += 19 * q; /* h + 19q - 2^255·q: the 2^255 falls off the top limb below */
    for (int i = 0; i < 4; i++) {
        h.v[i + 1] += h.v[i] >> 51;
        h.v[i] &= MASK51;
    }
    h.v[4] &= MASK51;
    memcpy(out, h.v, sizeof h.v);
}

static void fe_tobytes(uint8_t s[32], const fe *f)
{
    uint64_t h[5];
    fe_canonical(h, f);
    store64_le(s, h[0] | (h[1] << 51));
    store64_le(s + 8, (h[1] >> 13) | (h[2] << 38));
    store64_le(s + 16, (h[2] >> 26) | (h[3] << 25));
    store64_le(s + 24, (h[3] >> 39) | (h[4] << 12));
}

static int fe_iszero(const fe *f)
{
    uint64_t h[5];
    fe_canonical(h, f);
    return (h[0] | h[1] | h[2] | h[3] | h[4]) == 0;
}

/* The "sign" of f: the low bit of its canonical representative. */
static int fe_isodd(const fe *f)
{
    uint64_t h[5];
    fe_canonical(h, f);
    return (int)(h[0] & 1);
}

static void fe_from_small(fe *h, uint64_t value)
{
    *h = FE_ZERO;
    h->v[0] = value;
}

#endif

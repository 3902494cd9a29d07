/*
 * SigV1 commitment c·A + r·G on Ed25519, in variable time, for `swap.core.oxen_signature`.
 *
 * Why this file exists: verifying an Oxen wallet signature needs R' = c·A + r·G and a check that
 * the public key A lies in the prime-order subgroup. libsodium offers only a constant-time
 * single-scalar multiplication that re-runs that check inside, which caps SigV1 at about 0.44 of
 * Ed25519's verification rate (issue 3). Verification handles only public data, so variable time
 * is fine here; nothing in this file ever sees a secret.
 *
 * Contract (kept identical to the libsodium path; tests/core/test_sigv1_native.py proves it):
 * A is refused exactly when libsodium's `crypto_core_ed25519_is_valid_point` refuses it, i.e.
 * when its y is not canonical (y >= p), it is not on the curve, it is the identity, or
 * [L]A is not the identity (this also refuses the other seven small-order points: L is odd, so
 * [L]T = O only for T = O). Otherwise the canonical encoding of c·A + r·G is returned.
 *
 * How (all from the curve's mathematics, nothing copied):
 *  - GF(2^255 - 19) in radix 2^51 (five 64-bit limbs, 128-bit products), in field25519.h.
 *  - Points in extended twisted-Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z, with
 *    the unified formulas of Hisil-Wong-Carter-Dawson for a = -1; they are complete on this curve
 *    (d is not a square), so torsion points and the identity need no special case.
 *  - The subgroup check and c·A share one chain of doublings, read right to left: the chain
 *    A, 2A, 4A, ..., 2^252·A is needed for [L]A anyway, and each 2^k·A is added, with the sign
 *    of its digit, into a bucket per digit value of the width-w NAFs of c and of L. The buckets
 *    are then summed with their weights by running sums. Compared with a Straus double-scalar
 *    multiplication plus a separate [L]A chain, this saves a whole run of ~252 doublings.
 *  - r·G uses a table built once at import: v·2^(6j)·G for v = 1..32, j = 0..42, in affine form,
 *    with signed radix-64 digits of r: at most 43 mixed additions and no doubling.
 *  - One inversion encodes the result.
 *
 * The field GF(2^255 - 19) is in field25519.h; the limb bounds the formulas below respect are
 * stated there.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#include "field25519.h"

/* ---- points on -x² + y² = 1 + d·x²·y² ---------------------------------------------------- */

static fe CURVE_D;  /* d = -121665/121666, computed at import */
static fe CURVE_2D; /* 2d */
static fe SQRT_M1;  /* 2^((p-1)/4), a square root of -1 */

typedef struct {
    fe X, Y, Z, T; /* extended: x = X/Z, y = Y/Z, x·y = T/Z */
} ge_p3;

typedef struct {
    fe E, F, G, H; /* completed: x = E/G, y = H/F (what the formulas below produce) */
} ge_completed;

typedef struct {
    fe YpX, YmX, Z, T2d; /* a point ready to be added: Y + X, Y - X, Z, 2d·T */
} ge_cached;

typedef struct {
    fe ypx, ymx, xy2d; /* an affine point ready to be added: y + x, y - x, 2d·x·y (Z = 1) */
} ge_affine;

static void ge_identity(ge_p3 *p)
{
    p->X = FE_ZERO;
    p->Y = FE_ONE;
    p->Z = FE_ONE;
    p->T = FE_ZERO;
}

/* (E/G, H/F) back to projective: X = EF, Y = GH, Z = FG, and T = EH when `with_t`. */
static inline void ge_from_completed(ge_p3 *r, const ge_completed *c, int with_t)
{
    fe_mul(&r->X, &c->E, &c->F);
    fe_mul(&r->Y, &c->G, &c->H);
    fe_mul(&r->Z, &c->F, &c->G);
    if (with_t) {
        fe_mul(&r->T, &c->E, &c->H);
    }
}

static inline void ge_to_cached(ge_cached *r, const ge_p3 *p)
{
    fe_add(&r->YpX, &p->Y, &p->X);
    fe_sub(&r->YmX, &p->Y, &p->X);
    r->Z = p->Z;
    fe_mul(&r->T2d, &p->T, &CURVE_2D);
}

/*
 * 2P from X, Y, Z (T unused), a = -1: x3 = 2xy/(y² - x²), y3 = (y² + x²)/(2 - y² + x²).
 * E = (X+Y)² - X² - Y² = 2XY, G = Y² - X², H = X² + Y², F = 2Z² + X² - Y² (all < 2^55).
 */
static inline void ge_double(ge_completed *r, const ge_p3 *p)
{
    fe a, b, c, s;
    fe_sq(&a, &p->X);
    fe_sq(&b, &p->Y);
    fe_sq(&c, &p->Z);
    fe_add(&c, &c, &c);
    fe_add(&s, &p->X, &p->Y);
    fe_sq(&s, &s);
    fe_add(&r->H, &a, &b);
    fe_sub(&r->E, &s, &r->H); /* r->H < 2^53: fine as the subtrahend */
    fe_sub(&r->G, &b, &a);
    fe_add(&c, &c, &a);
    fe_sub(&r->F, &c, &b);
}

/*
 * P ± Q, unified: x3 = (x1y2 + y1x2)/(1 + d·x1x2y1y2), y3 = (y1y2 + x1x2)/(1 - d·x1x2y1y2).
 * With a = (Y1-X1)(Y2-X2), b = (Y1+X1)(Y2+X2), c = 2d·T1T2, z = 2Z1Z2:
 * E = b - a, H = b + a, G = z + c, F = z - c. Subtracting Q swaps Y2±X2 and negates c.
 */
static inline void ge_add_cached(ge_completed *r, const ge_p3 *p, const ge_cached *q, int subtract)
{
    fe a, b, c, z, t;
    fe_sub(&t, &p->Y, &p->X);
    fe_mul(&a, &t, subtract ? &q->YpX : &q->YmX);
    fe_add(&t, &p->Y, &p->X);
    fe_mul(&b, &t, subtract ? &q->YmX : &q->YpX);
    fe_mul(&c, &p->T, &q->T2d);
    fe_mul(&z, &p->Z, &q->Z);
    fe_add(&z, &z, &z);
    fe_sub(&r->E, &b, &a);
    fe_add(&r->H, &b, &a);
    if (subtract) {
        fe_sub(&r->G, &z, &c);
        fe_add(&r->F, &z, &c);
    } else {
        fe_add(&r->G, &z, &c);
        fe_sub(&r->F, &z, &c);
    }
}

/* The same with Z2 = 1 (a precomputed affine point): z = 2Z1. */
static inline void ge_add_affine(ge_completed *r, const ge_p3 *p, const ge_affine *q, int subtract)
{
    fe a, b, c, z, t;
    fe_sub(&t, &p->Y, &p->X);
    fe_mul(&a, &t, subtract ? &q->ypx : &q->ymx);
    fe_add(&t, &p->Y, &p->X);
    fe_mul(&b, &t, subtract ? &q->ymx : &q->ypx);
    fe_mul(&c, &p->T, &q->xy2d);
    fe_add(&z, &p->Z, &p->Z);
    fe_sub(&r->E, &b, &a);
    fe_add(&r->H, &b, &a);
    if (subtract) {
        fe_sub(&r->G, &z, &c);
        fe_add(&r->F, &z, &c);
    } else {
        fe_add(&r->G, &z, &c);
        fe_sub(&r->F, &z, &c);
    }
}

static inline void ge_add_p3(ge_p3 *r, const ge_p3 *p, const ge_p3 *q)
{
    ge_cached qc;
    ge_completed t;
    ge_to_cached(&qc, q);
    ge_add_cached(&t, p, &qc, 0);
    ge_from_completed(r, &t, 1);
}

static int ge_is_identity(const ge_p3 *p)
{
    fe t;
    fe_sub(&t, &p->Y, &p->Z);
    return fe_iszero(&p->X) && fe_iszero(&t);
}

static void ge_encode(uint8_t s[32], const ge_p3 *p)
{
    fe z_inverse, x, y;
    fe_invert(&z_inverse, &p->Z);
    fe_mul(&x, &p->X, &z_inverse);
    fe_mul(&y, &p->Y, &z_inverse);
    fe_tobytes(s, &y);
    s[31] |= (uint8_t)(fe_isodd(&x) << 7);
}

/*
 * Decode y and the sign of x, refusing what libsodium refuses before its subgroup test: a
 * non-canonical y (>= p), a y with no x on the curve, and the identity (the one small-order
 * point that passes [L]A = O; the other seven fail it, so no blocklist is needed, and x = 0
 * with the sign bit set only occurs for y = ±1, which are refused either way).
 * x² = u/v with u = y² - 1, v = d·y² + 1; x = u·v³·(u·v⁷)^((p-5)/8), times √-1 if v·x² = -u.
 */
static int ge_decode(ge_p3 *p, const uint8_t s[32])
{
    int all_ff = (s[31] & 0x7f) == 0x7f;
    for (int i = 1; i < 31; i++) {
        all_ff &= s[i] == 0xff;
    }
    if (all_ff && s[0] >= 0xed) {
        return 0; /* y >= p */
    }
    int identity = s[0] == 1 && (s[31] & 0x7f) == 0;
    for (int i = 1; i < 31; i++) {
        identity &= s[i] == 0;
    }
    if (identity) {
        return 0;
    }

    fe y, u, v, v3, t, x, check;
    fe_frombytes(&y, s);
    fe_sq(&u, &y);
    fe_mul(&v, &u, &CURVE_D);
    fe_sub(&u, &u, &FE_ONE);
    fe_carry(&u); /* u is a subtrahend below */
    fe_add(&v, &v, &FE_ONE);
    fe_sq(&v3, &v);
    fe_mul(&v3, &v3, &v);  /* v³ */
    fe_sq(&t, &v3);
    fe_mul(&t, &t, &v);    /* v⁷ */
    fe_mul(&t, &t, &u);    /* u·v⁷ */
    fe_pow_p58(&t, &t);
    fe_mul(&x, &t, &v3);
    fe_mul(&x, &x, &u);    /* candidate root */
    fe_sq(&check, &x);
    fe_mul(&check, &check, &v);
    fe_sub(&t, &check, &u);
    if (!fe_iszero(&t)) {
        fe_add(&t, &check, &u);
        if (!fe_iszero(&t)) {
            return 0; /* u/v is not a square: no such point */
        }
        fe_mul(&x, &x, &SQRT_M1);
    }
    if (fe_isodd(&x) != (s[31] >> 7)) {
        fe_neg(&x, &x);
    }
    p->X = x;
    p->Y = y;
    p->Z = FE_ONE;
    fe_mul(&p->T, &x, &y);
    return 1;
}

/* ---- scalars ------------------------------------------------------------------------------ */

#define NAF_LENGTH 257 /* a width-w NAF of a number below 2^256 has at most 257 digits */
#define C_WINDOW 5     /* c: odd digits ±1..±15, 8 buckets (fewest additions for random c) */
#define L_WINDOW 4     /* L: odd digits ±1..±7, 4 buckets (fewest additions for L) */
#define G_RADIX_BITS 6
#define G_DIGITS 43                         /* 43·6 = 258 bits cover r < 2^253 and a carry */
#define G_MULTIPLES (1 << (G_RADIX_BITS - 1)) /* table rows hold 1..32 times 2^(6j)·G */

/* The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
static const uint8_t ORDER_L[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

/* The standard base point's encoding: y = 4/5, x even. */
static const uint8_t BASE_POINT[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
};

static int8_t L_NAF[NAF_LENGTH];
static int L_NAF_TOP;
static ge_affine G_TABLE[G_DIGITS][G_MULTIPLES]; /* G_TABLE[j][v-1] = v·2^(6j)·G */

static int scalar_is_reduced(const uint8_t s[32])
{
    for (int i = 31; i >= 0; i--) {
        if (s[i] != ORDER_L[i]) {
            return s[i] < ORDER_L[i];
        }
    }
    return 0; /* s == L */
}

static inline unsigned scalar_bits(const uint8_t s[32], int position, int count)
{
    unsigned value = 0;
    for (int i = 0; i < count; i++) {
        int bit = position + i;
        if (bit < 256) {
            value |= (unsigned)((s[bit >> 3] >> (bit & 7)) & 1) << i;
        }
    }
    return value;
}

/*
 * Width-w NAF, least significant digit first: s = Σ naf[i]·2^i, each digit 0 or odd with
 * |digit| < 2^(w-1), any two nonzero digits at least w apart. Returns the top nonzero position
 * (-1 for s = 0). Invariant: s = Σ_{j<i} naf[j]·2^j + 2^i·(carry + ⌊s/2^i⌋).
 */
static int wnaf(int8_t naf[NAF_LENGTH], const uint8_t s[32], int w)
{
    int carry = 0, top = -1;
    memset(naf, 0, NAF_LENGTH);
    for (int i = 0; i < NAF_LENGTH;) {
        if ((int)scalar_bits(s, i, 1) == carry) {
            i++; /* even: digit 0, the carry moves up unchanged */
            continue;
        }
        int window = (int)scalar_bits(s, i, w) + carry; /* odd, in [1, 2^w) */
        if (window >= (1 << (w - 1))) {
            naf[i] = (int8_t)(window - (1 << w));
            carry = 1;
        } else {
            naf[i] = (int8_t)window;
            carry = 0;
        }
        top = i;
        i += w;
    }
    return top;
}

/* Signed radix-2^6 digits in [-31, 32]: s = Σ d[j]·2^(6j), for s < 2^253. */
static void radix64_digits(int8_t d[G_DIGITS], const uint8_t s[32])
{
    int carry = 0;
    for (int j = 0; j < G_DIGITS; j++) {
        int value = (int)scalar_bits(s, j * G_RADIX_BITS, G_RADIX_BITS) + carry;
        carry = value > G_MULTIPLES;
        d[j] = (int8_t)(value - (carry << G_RADIX_BITS));
    }
}

/* ---- c·A with [L]A from one doubling chain ------------------------------------------------ */

typedef struct {
    ge_p3 point;
    int used; /* 0: the identity, not yet materialised (saves one addition per bucket) */
} bucket;

static void bucket_add(bucket *b, const ge_p3 *q, const ge_cached *qc, int negative)
{
    if (!b->used) {
        b->point = *q;
        if (negative) {
            fe_neg(&b->point.X, &q->X);
            fe_neg(&b->point.T, &q->T);
        }
        b->used = 1;
        return;
    }
    ge_completed t;
    ge_add_cached(&t, &b->point, qc, negative);
    ge_from_completed(&b->point, &t, 1);
}

static void bucket_add_p3(bucket *b, const bucket *q)
{
    if (!q->used) {
        return;
    }
    if (!b->used) {
        *b = *q;
        return;
    }
    ge_add_p3(&b->point, &b->point, &q->point);
}

/* Σ (2i+1)·B_i = S_0 + 2·Σ_{j>=1} S_j with running sums S_j = Σ_{i>=j} B_i. */
static void buckets_sum(ge_p3 *result, const bucket *buckets, int count)
{
    bucket running = {.used = 0}, weighted = {.used = 0};
    for (int j = count - 1; j >= 1; j--) {
        bucket_add_p3(&running, &buckets[j]);
        bucket_add_p3(&weighted, &running);
    }
    bucket_add_p3(&running, &buckets[0]);
    if (weighted.used) {
        ge_completed t;
        ge_double(&t, &weighted.point);
        ge_from_completed(&weighted.point, &t, 1);
        bucket_add_p3(&running, &weighted);
    }
    if (running.used) {
        *result = running.point;
    } else {
        ge_identity(result);
    }
}

/* Sets c_times_a = c·A and returns whether [L]A is the identity. */
static int multiply_and_check_order(ge_p3 *c_times_a, const ge_p3 *a, const uint8_t c[32])
{
    int8_t c_naf[NAF_LENGTH];
    int top = wnaf(c_naf, c, C_WINDOW);
    if (top < L_NAF_TOP) {
        top = L_NAF_TOP;
    }
    bucket c_buckets[1 << (C_WINDOW - 2)], l_buckets[1 << (L_WINDOW - 2)];
    memset(c_buckets, 0, sizeof c_buckets);
    memset(l_buckets, 0, sizeof l_buckets);

    ge_p3 q = *a; /* 2^k·A; T is kept only where a digit needs it */
    ge_cached qc;
    ge_completed t;
    for (int k = 0;; k++) {
        int dc = c_naf[k], dl = L_NAF[k];
        if (dc != 0 || dl != 0) {
            ge_to_cached(&qc, &q);
            if (dc != 0) {
                bucket_add(&c_buckets[(dc < 0 ? -dc : dc) >> 1], &q, &qc, dc < 0);
            }
            if (dl != 0) {
                bucket_add(&l_buckets[(dl < 0 ? -dl : dl) >> 1], &q, &qc, dl < 0);
            }
        }
        if (k == top) {
            break;
        }
        ge_double(&t, &q);
        ge_from_completed(&q, &t, c_naf[k + 1] != 0 || L_NAF[k + 1] != 0);
    }

    ge_p3 l_times_a;
    buckets_sum(&l_times_a, l_buckets, 1 << (L_WINDOW - 2));
    if (!ge_is_identity(&l_times_a)) {
        return 0;
    }
    buckets_sum(c_times_a, c_buckets, 1 << (C_WINDOW - 2));
    return 1;
}

static void base_multiple(ge_p3 *r, const uint8_t scalar[32])
{
    int8_t d[G_DIGITS];
    radix64_digits(d, scalar);
    ge_identity(r);
    ge_completed t;
    for (int j = 0; j < G_DIGITS; j++) {
        if (d[j] != 0) {
            int negative = d[j] < 0;
            ge_add_affine(&t, r, &G_TABLE[j][(negative ? -d[j] : d[j]) - 1], negative);
            ge_from_completed(r, &t, 1);
        }
    }
}

/* out = encode(c·A + r·G); 0 (and out untouched) when A is refused. c, r < L. */
static int sigv1_commitment(uint8_t out[32], const uint8_t c[32], const uint8_t r[32], const uint8_t key[32])
{
    ge_p3 a, c_times_a, r_times_g, sum;
    if (!ge_decode(&a, key) || !multiply_and_check_order(&c_times_a, &a, c)) {
        return 0;
    }
    base_multiple(&r_times_g, r);
    ge_add_p3(&sum, &c_times_a, &r_times_g);
    ge_encode(out, &sum);
    return 1;
}

/* ---- one-time set-up ---------------------------------------------------------------------- */

/* d = -121665/121666, 2d, √-1 = 2^((p-1)/4) = 2^(2^253 - 5) = (2^(2^250 - 1))^8 · 2^3. */
static int init_constants(void)
{
    fe numerator, denominator, t, f11;
    fe_from_small(&numerator, 121665);
    fe_from_small(&denominator, 121666);
    fe_invert(&t, &denominator);
    fe_mul(&t, &t, &numerator);
    fe_neg(&CURVE_D, &t);
    fe_add(&CURVE_2D, &CURVE_D, &CURVE_D);
    fe_carry(&CURVE_2D);

    fe two;
    fe_from_small(&two, 2);
    fe_pow_2_250_m1(&t, &f11, &two);
    fe_sqn(&t, &t, 3);
    fe_from_small(&numerator, 8);
    fe_mul(&SQRT_M1, &t, &numerator);

    fe_sq(&t, &SQRT_M1); /* self-check: (√-1)² + 1 = 0 */
    fe_add(&t, &t, &FE_ONE);
    return fe_iszero(&t);
}

/* Build G_TABLE: all 43·32 multiples in extended form, then one batched inversion for all Z. */
static int init_base_table(void)
{
    enum { COUNT = G_DIGITS * G_MULTIPLES };
    ge_p3 *points = PyMem_Malloc(COUNT * sizeof *points);
    fe *prefix = PyMem_Malloc(COUNT * sizeof *prefix);
    if (points == NULL || prefix == NULL) {
        PyMem_Free(points);
        PyMem_Free(prefix);
        PyErr_NoMemory();
        return 0;
    }
    ge_p3 step;
    if (!ge_decode(&step, BASE_POINT)) {
        PyMem_Free(points);
        PyMem_Free(prefix);
        PyErr_SetString(PyExc_ImportError, "_sigv1_native: the base point does not decode");
        return 0;
    }
    for (int j = 0; j < G_DIGITS; j++) { /* step = 2^(6j)·G */
        ge_p3 *row = points + j * G_MULTIPLES;
        row[0] = step;
        for (int v = 1; v < G_MULTIPLES; v++) {
            ge_add_p3(&row[v], &row[v - 1], &step);
        }
        ge_completed t;
        ge_double(&t, &row[G_MULTIPLES - 1]); /* 2·32 = 64 = 2^6 */
        ge_from_completed(&step, &t, 1);
    }

    prefix[0] = points[0].Z; /* Montgomery's trick: one inversion for all */
    for (int i = 1; i < COUNT; i++) {
        fe_mul(&prefix[i], &prefix[i - 1], &points[i].Z);
    }
    fe inverse;
    fe_invert(&inverse, &prefix[COUNT - 1]);
    for (int i = COUNT - 1; i >= 0; i--) {
        fe z_inverse, x, y;
        if (i > 0) {
            fe_mul(&z_inverse, &inverse, &prefix[i - 1]);
            fe_mul(&inverse, &inverse, &points[i].Z);
        } else {
            z_inverse = inverse;
        }
        fe_mul(&x, &points[i].X, &z_inverse);
        fe_mul(&y, &points[i].Y, &z_inverse);
        ge_affine *entry = &G_TABLE[i / G_MULTIPLES][i % G_MULTIPLES];
        fe_add(&entry->ypx, &y, &x);
        fe_carry(&entry->ypx);
        fe_sub(&entry->ymx, &y, &x);
        fe_carry(&entry->ymx);
        fe_mul(&entry->xy2d, &x, &y);
        fe_mul(&entry->xy2d, &entry->xy2d, &CURVE_2D);
    }
    PyMem_Free(points);
    PyMem_Free(prefix);
    return 1;
}

/* Known answers: G is accepted and 1·A + 0·G re-encodes A; (L-1)·G + 1·G is the identity. */
static int self_check(void)
{
    uint8_t one[32] = {1}, zero[32] = {0}, l_minus_1[32], out[32];
    memcpy(l_minus_1, ORDER_L, 32);
    l_minus_1[0] -= 1;
    if (!sigv1_commitment(out, one, zero, BASE_POINT) || memcmp(out, BASE_POINT, 32) != 0) {
        return 0;
    }
    static const uint8_t identity[32] = {1};
    return sigv1_commitment(out, l_minus_1, one, BASE_POINT) && memcmp(out, identity, 32) == 0;
}

/* ---- Python binding ----------------------------------------------------------------------- */

static const char *const ARGUMENT_NAMES[3] = {"c", "r", "public_key"};

static PyObject *py_commitment(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    uint8_t in[3][32], out[32];
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError, "commitment() takes exactly 3 positional arguments (%zd given)", nargs);
        return NULL;
    }
    for (int i = 0; i < 3; i++) {
        if (!PyBytes_Check(args[i])) {
            PyErr_Format(PyExc_TypeError, "commitment() argument '%s' must be bytes, not %.100s", ARGUMENT_NAMES[i],
                         Py_TYPE(args[i])->tp_name);
            return NULL;
        }
        if (PyBytes_GET_SIZE(args[i]) != 32) {
            PyErr_Format(PyExc_ValueError, "commitment() argument '%s' must be 32 bytes, got %zd", ARGUMENT_NAMES[i],
                         PyBytes_GET_SIZE(args[i]));
            return NULL;
        }
        memcpy(in[i], PyBytes_AS_STRING(args[i]), 32);
    }
    for (int i = 0; i < 2; i++) {
        if (!scalar_is_reduced(in[i])) {
            PyErr_Format(PyExc_ValueError, "commitment() argument '%s' must be a reduced scalar (below L)",
                         ARGUMENT_NAMES[i]);
            return NULL;
        }
    }
    int accepted;
    Py_BEGIN_ALLOW_THREADS
    accepted = sigv1_commitment(out, in[0], in[1], in[2]);
    Py_END_ALLOW_THREADS
    if (!accepted) {
        Py_RETURN_NONE;
    }
    return PyBytes_FromStringAndSize((const char *)out, 32);
}

static PyMethodDef METHODS[] = {
    {"commitment", (PyCFunction)(void (*)(void))py_commitment, METH_FASTCALL,
     "commitment(c, r, public_key, /)\n--\n\n"
     "The 32-byte encoding of c*A + r*G (A = public_key, G the Ed25519 base point), or None when\n"
     "libsodium's crypto_core_ed25519_is_valid_point would refuse A. c and r are 32-byte\n"
     "little-endian scalars below L. Variable time: for public data (signature verification) only."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT,
    "_sigv1_native",
    "Variable-time SigV1 commitment c*A + r*G with libsodium's key rules "
    "(built from swap/core/native/sigv1_commitment.c).",
    -1,
    METHODS,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__sigv1_native(void)
{
    static int ready = 0;
    if (!ready) {
        if (!init_constants()) {
            PyErr_SetString(PyExc_ImportError, "_sigv1_native: field constants failed their self-check");
            return NULL;
        }
        L_NAF_TOP = wnaf(L_NAF, ORDER_L, L_WINDOW);
        if (!init_base_table()) {
            return NULL;
        }
        if (!self_check()) {
            PyErr_SetString(PyExc_ImportError, "_sigv1_native: known-answer self-check failed");
            return NULL;
        }
        ready = 1;
    }
    return PyModule_Create(&MODULE);
}

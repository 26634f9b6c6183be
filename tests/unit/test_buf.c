/* The bounds-checked reader (include/rawprobe/buf.h): every boundary, no read past cap. */
#include "pkt_helpers.h"

#include "rawprobe/buf.h"

static const uint8_t bytes16[16] = { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
				     0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f };

static void test_make_wire_never_below_cap(void **state)
{
	struct exact e = exact_copy(bytes16, 4);
	struct rp_buf b;
	(void)state;

	b = rp_buf_make(e.p, 4, 2);
	assert_ptr_equal(b.data, e.p);
	assert_int_equal(b.cap, 4);
	assert_int_equal(b.wire, 4);

	b = rp_buf_make(e.p, 4, 10);
	assert_int_equal(b.cap, 4);
	assert_int_equal(b.wire, 10);

	b = rp_buf_make(e.p, 0, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.wire, 0);
	exact_free(&e);
}

static void test_avail_cut_capture(void **state)
{
	struct exact e = exact_copy(bytes16, 4);
	struct rp_buf b = rp_buf_make(e.p, 4, 10);
	(void)state;

	assert_int_equal(rp_buf_avail(&b, 0, 0), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&b, 0, 4), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&b, 3, 1), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&b, 2, 2), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&b, 4, 0), RP_AVAIL);

	assert_int_equal(rp_buf_avail(&b, 0, 5), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&b, 3, 2), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&b, 4, 1), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&b, 5, 1), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&b, 9, 1), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&b, 0, 10), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&b, 6, 4), RP_UNCAPTURED);

	assert_int_equal(rp_buf_avail(&b, 9, 2), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 10, 1), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 11, 0), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 0, 11), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 7, 4), RP_BEYOND);

	/* huge values must not wrap around */
	assert_int_equal(rp_buf_avail(&b, SIZE_MAX, 0), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, SIZE_MAX, 1), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, SIZE_MAX, SIZE_MAX), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 0, SIZE_MAX), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 1, SIZE_MAX), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 5, SIZE_MAX - 4), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 2, SIZE_MAX - 1), RP_BEYOND);
	exact_free(&e);
}

static void test_avail_full_capture(void **state)
{
	struct exact e = exact_copy(bytes16, 4);
	struct rp_buf b = rp_buf_make(e.p, 4, 4);
	struct rp_buf z = rp_buf_make(e.p, 0, 0);
	struct rp_buf zc = rp_buf_make(e.p, 0, 5);
	(void)state;

	assert_int_equal(rp_buf_avail(&b, 4, 0), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&b, 3, 1), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&b, 0, 4), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&b, 4, 1), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 2, 3), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&b, 5, 0), RP_BEYOND);

	assert_int_equal(rp_buf_avail(&z, 0, 0), RP_AVAIL);
	assert_int_equal(rp_buf_avail(&z, 0, 1), RP_BEYOND);
	assert_int_equal(rp_buf_avail(&z, 1, 0), RP_BEYOND);

	assert_int_equal(rp_buf_avail(&zc, 0, 1), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&zc, 0, 5), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&zc, 0, 6), RP_BEYOND);
	exact_free(&e);
}

static void test_has(void **state)
{
	struct exact e = exact_copy(bytes16, 4);
	struct rp_buf b = rp_buf_make(e.p, 4, 10);
	(void)state;

	assert_true(rp_buf_has(&b, 0, 0));
	assert_true(rp_buf_has(&b, 0, 4));
	assert_true(rp_buf_has(&b, 3, 1));
	assert_true(rp_buf_has(&b, 4, 0));
	assert_false(rp_buf_has(&b, 4, 1));
	assert_false(rp_buf_has(&b, 0, 5));
	assert_false(rp_buf_has(&b, 5, 0));
	assert_false(rp_buf_has(&b, 3, 2));
	/* within wire but not captured: not readable */
	assert_false(rp_buf_has(&b, 6, 2));
	assert_false(rp_buf_has(&b, SIZE_MAX, 0));
	assert_false(rp_buf_has(&b, SIZE_MAX, 1));
	assert_false(rp_buf_has(&b, 1, SIZE_MAX));
	assert_false(rp_buf_has(&b, 0, SIZE_MAX));
	assert_false(rp_buf_has(&b, 2, SIZE_MAX - 1));
	assert_false(rp_buf_has(&b, SIZE_MAX, SIZE_MAX));
	exact_free(&e);
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Reads every byte of s through the getter: ASan checks they all lie inside the allocation. */
static void check_slice_bytes(const struct rp_buf *s, const uint8_t *expect)
{
	uint8_t v;
	for (size_t i = 0; i < s->cap; i++) {
		assert_true(rp_get_u8(s, i, &v));
		assert_int_equal(v, expect[i]);
	}
	v = 0x5a;
	assert_false(rp_get_u8(s, s->cap, &v));
	assert_int_equal(v, 0);
}

static void test_slice_exhaustive(void **state)
{
	static const size_t lens_extra[] = { SIZE_MAX, SIZE_MAX - 1 };
	(void)state;

	for (size_t cap = 0; cap <= 6; cap++) {
		struct exact e = exact_copy(bytes16, cap);
		for (size_t wire = cap; wire <= cap + 3; wire++) {
			struct rp_buf b = rp_buf_make(e.p, cap, wire);
			for (size_t off = 0; off <= wire + 2; off++) {
				for (size_t li = 0; li < wire + 3 + 2; li++) {
					size_t len = li < wire + 3 ? li : lens_extra[li - (wire + 3)];
					struct rp_buf s = rp_buf_slice(&b, off, len);
					size_t ew = off <= wire ? min_sz(wire - off, len) : 0;
					size_t ec = off <= cap ? min_sz(cap - off, len) : 0;
					ec = min_sz(ec, ew);
					if (s.wire != ew || s.cap != ec)
						fail_msg("cap %zu wire %zu slice(%zu, %zu): got cap %zu wire %zu, want %zu %zu",
							 cap, wire, off, len, s.cap, s.wire, ec, ew);
					assert_true(s.cap <= s.wire);
					if (off <= cap)
						assert_ptr_equal(s.data, e.p + off);
					if (ec)
						check_slice_bytes(&s, bytes16 + off);
					assert_false(rp_buf_has(&s, s.cap, 1));
				}
			}
		}
		exact_free(&e);
	}
}

static void test_slice_huge_offsets(void **state)
{
	struct exact e = exact_copy(bytes16, 8);
	struct rp_buf b = rp_buf_make(e.p, 8, 20);
	struct rp_buf s;
	uint8_t v;
	(void)state;

	s = rp_buf_slice(&b, SIZE_MAX, SIZE_MAX);
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.wire, 0);
	assert_false(rp_get_u8(&s, 0, &v));

	s = rp_buf_slice(&b, SIZE_MAX, 4);
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.wire, 0);

	s = rp_buf_slice(&b, 21, 1);
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.wire, 0);

	/* past cap, inside wire: nothing readable, the wire length stays */
	s = rp_buf_slice(&b, 12, SIZE_MAX);
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.wire, 8);
	assert_false(rp_get_u8(&s, 0, &v));
	assert_int_equal(rp_buf_avail(&s, 0, 8), RP_UNCAPTURED);
	assert_int_equal(rp_buf_avail(&s, 0, 9), RP_BEYOND);

	/* exactly at cap */
	s = rp_buf_slice(&b, 8, 5);
	assert_ptr_equal(s.data, e.p + 8);
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.wire, 5);
	assert_false(rp_get_u8(&s, 0, &v));

	/* exactly at wire */
	s = rp_buf_slice(&b, 20, 5);
	assert_int_equal(s.cap, 0);
	assert_int_equal(s.wire, 0);
	exact_free(&e);
}

static void test_slice_of_slice(void **state)
{
	struct exact e = exact_copy(bytes16, 10);
	struct rp_buf b = rp_buf_make(e.p, 10, 30);
	struct rp_buf s1, s2;
	uint16_t v16;
	(void)state;

	s1 = rp_buf_slice(&b, 4, 20); /* cap 6, wire 20 */
	assert_int_equal(s1.cap, 6);
	assert_int_equal(s1.wire, 20);
	s2 = rp_buf_slice(&s1, 2, 3); /* bytes 6..8 */
	assert_ptr_equal(s2.data, e.p + 6);
	assert_int_equal(s2.cap, 3);
	assert_int_equal(s2.wire, 3);
	assert_true(rp_get_be16(&s2, 1, &v16));
	assert_int_equal(v16, 0x8798);
	assert_false(rp_get_be16(&s2, 2, &v16));

	s2 = rp_buf_slice(&s1, 5, 100); /* byte 9 captured, then uncaptured */
	assert_int_equal(s2.cap, 1);
	assert_int_equal(s2.wire, 15);
	check_slice_bytes(&s2, bytes16 + 9);
	exact_free(&e);
}

static void test_tail(void **state)
{
	struct exact e = exact_copy(bytes16, 6);
	struct rp_buf b = rp_buf_make(e.p, 6, 9);
	struct rp_buf t;
	(void)state;

	t = rp_buf_tail(&b, 0);
	assert_ptr_equal(t.data, e.p);
	assert_int_equal(t.cap, 6);
	assert_int_equal(t.wire, 9);

	t = rp_buf_tail(&b, 4);
	assert_ptr_equal(t.data, e.p + 4);
	assert_int_equal(t.cap, 2);
	assert_int_equal(t.wire, 5);
	check_slice_bytes(&t, bytes16 + 4);

	t = rp_buf_tail(&b, 6);
	assert_int_equal(t.cap, 0);
	assert_int_equal(t.wire, 3);

	t = rp_buf_tail(&b, 7);
	assert_int_equal(t.cap, 0);
	assert_int_equal(t.wire, 2);

	t = rp_buf_tail(&b, 9);
	assert_int_equal(t.cap, 0);
	assert_int_equal(t.wire, 0);

	t = rp_buf_tail(&b, 10);
	assert_int_equal(t.cap, 0);
	assert_int_equal(t.wire, 0);

	t = rp_buf_tail(&b, SIZE_MAX);
	assert_int_equal(t.cap, 0);
	assert_int_equal(t.wire, 0);
	exact_free(&e);
}

/* Every getter at every offset of buffers of 0..9 bytes, plus huge offsets. */
static void test_getters_exhaustive(void **state)
{
	static const size_t huge[] = { SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 2, SIZE_MAX - 3, SIZE_MAX / 2 };
	(void)state;

	for (size_t cap = 0; cap <= 9; cap++) {
		struct exact e = exact_copy(bytes16, cap);
		struct rp_buf b = rp_buf_make(e.p, cap, cap + 7);
		const uint8_t *d = bytes16;
		for (size_t k = 0; k < cap + 6 + sizeof huge / sizeof huge[0]; k++) {
			size_t off = k < cap + 6 ? k : huge[k - (cap + 6)];
			uint8_t v8 = 0xee;
			uint16_t v16 = 0xeeee;
			uint32_t v32 = 0xeeeeeeee, l32 = 0xeeeeeeee;
			bool ok8 = rp_get_u8(&b, off, &v8);
			bool ok16 = rp_get_be16(&b, off, &v16);
			bool ok32 = rp_get_be32(&b, off, &v32);
			bool okl = rp_get_le32(&b, off, &l32);

			assert_int_equal(ok8, off < cap);
			assert_int_equal(ok16, cap >= 2 && off <= cap - 2);
			assert_int_equal(ok32, cap >= 4 && off <= cap - 4);
			assert_int_equal(okl, ok32);
			assert_int_equal(v8, ok8 ? d[off] : 0);
			assert_int_equal(v16, ok16 ? (unsigned)d[off] << 8 | d[off + 1] : 0);
			assert_int_equal(v32, ok32 ? (uint32_t)d[off] << 24 | (uint32_t)d[off + 1] << 16 |
							     (uint32_t)d[off + 2] << 8 | d[off + 3]
						   : 0);
			assert_int_equal(l32, okl ? (uint32_t)d[off + 3] << 24 | (uint32_t)d[off + 2] << 16 |
							    (uint32_t)d[off + 1] << 8 | d[off]
						  : 0);
		}
		exact_free(&e);
	}
}

static void test_getters_values(void **state)
{
	static const uint8_t x[] = { 0x80, 0x01, 0xff, 0x7f, 0x00, 0xfe };
	struct exact e = exact_copy(x, sizeof x);
	struct rp_buf b = rp_buf_make(e.p, sizeof x, sizeof x);
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	(void)state;

	assert_true(rp_get_u8(&b, 2, &v8));
	assert_int_equal(v8, 0xff);
	assert_true(rp_get_be16(&b, 0, &v16));
	assert_int_equal(v16, 0x8001);
	assert_true(rp_get_be16(&b, 4, &v16));
	assert_int_equal(v16, 0x00fe);
	assert_true(rp_get_be32(&b, 0, &v32));
	assert_int_equal(v32, 0x8001ff7fu);
	assert_true(rp_get_be32(&b, 2, &v32));
	assert_int_equal(v32, 0xff7f00feu);
	assert_true(rp_get_le32(&b, 0, &v32));
	assert_int_equal(v32, 0x7fff0180u);
	assert_true(rp_get_le32(&b, 2, &v32));
	assert_int_equal(v32, 0xfe007fffu);
	exact_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_wire_never_below_cap),
		cmocka_unit_test(test_avail_cut_capture),
		cmocka_unit_test(test_avail_full_capture),
		cmocka_unit_test(test_has),
		cmocka_unit_test(test_slice_exhaustive),
		cmocka_unit_test(test_slice_huge_offsets),
		cmocka_unit_test(test_slice_of_slice),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_getters_exhaustive),
		cmocka_unit_test(test_getters_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

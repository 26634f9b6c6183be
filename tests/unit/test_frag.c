/* IPv4 fragmentation (src/core/frag.c). */
#include "pkt_helpers.h"

#include "rawprobe/frag.h"

static uint8_t out[8192];
static struct rp_frag fr[64];

static size_t datagram(struct pb *p, const uint8_t *opts, size_t optlen, unsigned frag, size_t data)
{
	struct ipspec s = ipspec_default(1);

	pb_reset(p);
	s.opts = opts;
	s.optlen = optlen;
	s.frag = frag;
	pb_ipv4(p, &s, (unsigned)(20 + optlen + data));
	pb_pattern(p, data);
	return p->n;
}

static void test_split_and_reassemble(void **state)
{
	struct pb p;
	size_t n = datagram(&p, NULL, 0, 0x4000, 1000), got = 0;
	uint8_t whole[1000];
	int k = rp_ipv4_fragment(p.d, n, 300, out, sizeof out, fr, 64);
	(void)state;

	assert_int_equal(k, 4); /* 280 + 280 + 280 + 160 */
	for (int i = 0; i < k; i++) {
		uint8_t *h = out + fr[i].off;
		unsigned field = get_be16(h + 6), off = (field & 0x1fff) * 8;
		size_t dl = fr[i].len - 20;
		assert_true(fr[i].len <= 300);
		assert_int_equal(get_be16(h + 2), fr[i].len);
		assert_int_equal(ref_csum(h, 20), 0);
		assert_int_equal(off, got);
		assert_int_equal(!!(field & 0x2000), i < k - 1);
		assert_true(field & 0x4000); /* DF as given: the caller decides */
		if (i < k - 1)
			assert_int_equal(dl % 8, 0);
		memcpy(whole + off, h + 20, dl);
		got += dl;
	}
	assert_int_equal(got, 1000);
	assert_memory_equal(whole, p.d + 20, 1000);
}

static void test_options_copied_or_not(void **state)
{
	/* RR (7, not copied) then LSRR (131, copied): 8 + 8 option bytes. */
	static const uint8_t opts[16] = { 7, 7, 4, 0, 0, 0, 0, 1, 131, 7, 4, 10, 0, 0, 9, 0 };
	struct pb p;
	size_t n = datagram(&p, opts, sizeof opts, 0, 600);
	int k = rp_ipv4_fragment(p.d, n, 256, out, sizeof out, fr, 64);
	(void)state;

	assert_true(k >= 3);
	assert_int_equal(out[fr[0].off] & 15, 9);
	assert_memory_equal(out + fr[0].off + 20, opts, 16);
	for (int i = 1; i < k; i++) {
		uint8_t *h = out + fr[i].off;
		assert_int_equal(h[0] & 15, 7);
		assert_memory_equal(h + 20, opts + 8, 7);
		assert_int_equal(h[27], 0); /* padded with EOL */
		assert_int_equal(ref_csum(h, 28), 0);
	}
}

static void test_fits_too_small_and_refragment(void **state)
{
	struct pb p;
	size_t n = datagram(&p, NULL, 0, 0, 100);
	int k;
	(void)state;

	assert_int_equal(rp_ipv4_fragment(p.d, n, 1500, out, sizeof out, fr, 64), 1);
	assert_memory_equal(out, p.d, n);
	assert_int_equal(rp_ipv4_fragment(p.d, n, 27, out, sizeof out, fr, 64), -1);
	assert_int_equal(rp_ipv4_fragment(p.d, n, 60, out, sizeof out, fr, 2), -1);
	/* A fragment at offset 800 with MF: the pieces continue from there, the last keeps MF. */
	n = datagram(&p, NULL, 0, 0x2000 | 100, 100);
	k = rp_ipv4_fragment(p.d, n, 68, out, sizeof out, fr, 64);
	assert_int_equal(k, 3);
	assert_int_equal(get_be16(out + fr[0].off + 6), 0x2000 | 100);
	assert_int_equal(get_be16(out + fr[1].off + 6), 0x2000 | 106);
	assert_int_equal(get_be16(out + fr[2].off + 6), 0x2000 | 112);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_and_reassemble),
		cmocka_unit_test(test_options_copied_or_not),
		cmocka_unit_test(test_fits_too_small_and_refragment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <ctype.h>
#include <string.h>

#include "size.h"

static int suffix_shift(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'K': return 10;
	case 'M': return 20;
	case 'G': return 30;
	case 'T': return 40;
	default: return -1;
	}
}

int rp_size_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*s) {
		shift = suffix_shift(*s++);
		if (shift < 0)
			return -1;
		if (*s && strcmp(s, "B") != 0 && strcmp(s, "iB") != 0)
			return -1;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/*
 * Generated data for --source: the RFC 864 character generator pattern,
 * 72 printable characters per line rotating by one each line, CRLF ends.
 * The pattern repeats every 95 lines.
 */
#include "server_internal.h"

#define LINE_CHARS 72
#define FIRST ' '
#define NCHARS 95

void rp_chargen_fill(char *buf, size_t len)
{
	size_t i = 0;

	for (unsigned line = 0; i < len; line = (line + 1) % NCHARS) {
		for (unsigned k = 0; k < LINE_CHARS && i < len; k++)
			buf[i++] = (char)(FIRST + (line + k) % NCHARS);
		if (i < len)
			buf[i++] = '\r';
		if (i < len)
			buf[i++] = '\n';
	}
}

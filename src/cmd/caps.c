/* rawprobe caps: not written yet. */
#include "cmd.h"

int cmd_caps(int argc, char **argv)
{
	(void)argc;
	cmd_fail(argv[0], "not available in this build of rawprobe yet; see 'rawprobe --help'");
}

/* stub: being written */
#include "cmd.h"
int cmd_trace(int argc, char **argv) { (void)argc; (void)argv; cmd_fail("trace", "not available in this build yet"); }

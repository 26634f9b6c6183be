/* stub: being written */
#include "cmd.h"
int cmd_craft(int argc, char **argv) { (void)argc; (void)argv; cmd_fail("craft", "not available in this build yet"); }

/* Names of protocol numbers, for output; NULL where a number has no name here. */
#ifndef RAWPROBE_NAMES_H
#define RAWPROBE_NAMES_H

#include <stdint.h>

/* "echo request", "destination unreachable"...; NULL for an unassigned type. */
const char *rp_icmp_type_name(uint8_t type);
/* The code's meaning for types that have named codes; NULL otherwise. */
const char *rp_icmp_code_name(uint8_t type, uint8_t code);
/* "ICMP", "UDP", "GRE"...; NULL for numbers without a name here. */
const char *rp_ipproto_name(uint8_t proto);
/* "ARP", "IPv6"...; NULL for unnamed ethertypes. */
const char *rp_ethertype_name(uint16_t ethertype);
/* "RR", "TS", "LSRR", "SSRR", "RA", "NOP", "EOL"; NULL for others. */
const char *rp_ipopt_name(uint8_t type);

#endif

/* Names for protocol numbers (IANA registries), used by the output sinks. */
#include <stddef.h>

#include "rawprobe/names.h"

const char *rp_icmp_type_name(uint8_t type)
{
	switch (type) {
	case 0: return "echo reply";
	case 3: return "destination unreachable";
	case 4: return "source quench";
	case 5: return "redirect";
	case 6: return "alternate host address";
	case 8: return "echo request";
	case 9: return "router advertisement";
	case 10: return "router solicitation";
	case 11: return "time exceeded";
	case 12: return "parameter problem";
	case 13: return "timestamp request";
	case 14: return "timestamp reply";
	case 15: return "information request";
	case 16: return "information reply";
	case 17: return "address mask request";
	case 18: return "address mask reply";
	case 30: return "traceroute";
	case 31: return "datagram conversion error";
	case 32: return "mobile host redirect";
	case 37: return "domain name request";
	case 38: return "domain name reply";
	case 39: return "skip";
	case 40: return "photuris";
	case 42: return "extended echo request";
	case 43: return "extended echo reply";
	default: return NULL;
	}
}

static const char *const unreach_codes[16] = {
	"net unreachable", "host unreachable", "protocol unreachable", "port unreachable",
	"fragmentation needed", "source route failed", "destination network unknown",
	"destination host unknown", "source host isolated", "network administratively prohibited",
	"host administratively prohibited", "network unreachable for TOS",
	"host unreachable for TOS", "communication administratively prohibited",
	"host precedence violation", "precedence cutoff in effect",
};

const char *rp_icmp_code_name(uint8_t type, uint8_t code)
{
	switch (type) {
	case 3:
		return code < 16 ? unreach_codes[code] : NULL;
	case 5:
		switch (code) {
		case 0: return "for network";
		case 1: return "for host";
		case 2: return "for TOS and network";
		case 3: return "for TOS and host";
		}
		return NULL;
	case 11:
		switch (code) {
		case 0: return "time to live exceeded in transit";
		case 1: return "fragment reassembly time exceeded";
		}
		return NULL;
	case 12:
		switch (code) {
		case 0: return "pointer indicates the error";
		case 1: return "missing a required option";
		case 2: return "bad length";
		}
		return NULL;
	default:
		return NULL;
	}
}

const char *rp_ipproto_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "ICMP";
	case 2: return "IGMP";
	case 4: return "IPIP";
	case 6: return "TCP";
	case 17: return "UDP";
	case 41: return "IPv6";
	case 47: return "GRE";
	case 50: return "ESP";
	case 51: return "AH";
	case 58: return "ICMPv6";
	case 89: return "OSPF";
	case 103: return "PIM";
	case 112: return "VRRP";
	case 132: return "SCTP";
	default: return NULL;
	}
}

const char *rp_ethertype_name(uint16_t ethertype)
{
	switch (ethertype) {
	case 0x0800: return "IPv4";
	case 0x0806: return "ARP";
	case 0x8035: return "RARP";
	case 0x86dd: return "IPv6";
	case 0x8100: return "802.1Q";
	case 0x88a8: return "802.1ad";
	case 0x8847: return "MPLS";
	case 0x8863: return "PPPoE-D";
	case 0x8864: return "PPPoE-S";
	case 0x888e: return "EAPOL";
	case 0x88cc: return "LLDP";
	case 0x88f7: return "PTP";
	case 0x9000: return "Loopback";
	default: return NULL;
	}
}

const char *rp_ipopt_name(uint8_t type)
{
	switch (type) {
	case 0: return "EOL";
	case 1: return "NOP";
	case 7: return "RR";
	case 68: return "TS";
	case 130: return "SEC";
	case 131: return "LSRR";
	case 136: return "SID";
	case 137: return "SSRR";
	case 148: return "RA";
	default: return NULL;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libliocluster: port and initiator names.  One canonical form per name, so
 * that the same port written two ways is one port, and the form each
 * kernel fabric parses when a name becomes a configfs directory.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

bool lc_safe_component(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max || s[0] == '.' || s[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && ch != '.' && ch != '_' && ch != ':' && ch != '-')
			return false;
	}
	return true;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static char *lower(const char *s)
{
	char *r = lc_xstrdup(s), *p;

	for (p = r; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

/* 16 hex digits of a WWPN from 21:00:00:24:ff:31:4a:5b, 0x21000024ff314a5b,
 * 21000024ff314a5b (any case); false for anything else */
static bool wwpn_digits(const char *s, char out[17])
{
	size_t n = strlen(s), i, o = 0;

	if (n == 23) {
		for (i = 0; i < n; i++) {
			if (i % 3 == 2) {
				if (s[i] != ':')
					return false;
			} else if (!isxdigit((unsigned char)s[i])) {
				return false;
			} else {
				out[o++] = (char)tolower((unsigned char)s[i]);
			}
		}
		out[16] = '\0';
		return true;
	}
	if (n == 18 && (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		s += 2, n = 16;
	if (n != 16 || !all_hex(s, 16))
		return false;
	for (i = 0; i < 16; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[16] = '\0';
	return true;
}

/*
 * iqn.yyyy-mm.reversed.domain[:unique] (RFC 3720 3.2.6.3.1): after the
 * date, letters, digits, '.', '-' and ':' (the stringprep'd form is lower
 * case, which is the canonical form here).
 */
static bool valid_iqn(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 13 || n > LC_NAME_MAX || strncasecmp(s, "iqn.", 4))
		return false;
	for (i = 4; i < 11; i++)
		if (i == 8 ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return false;
	if (s[11] != '.' || !isalnum((unsigned char)s[12]))
		return false;
	for (i = 12; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && ch != '.' && ch != '-' && ch != ':')
			return false;
	}
	return s[n - 1] != '.' && s[n - 1] != ':';
}

enum lc_name_kind lc_name_parse(const char *s, char **canon)
{
	char w[17];
	size_t n = strlen(s);

	*canon = NULL;
	if (valid_iqn(s)) {
		*canon = lower(s);
		return LC_NAME_IQN;
	}
	if (!strncasecmp(s, "eui.", 4) && n == 20 && all_hex(s + 4, 16)) {
		*canon = lower(s);
		return LC_NAME_EUI;
	}
	if (!strncasecmp(s, "naa.", 4) && (n == 20 || n == 36) && all_hex(s + 4, n - 4)) {
		*canon = lower(s);
		return LC_NAME_NAA;
	}
	if (wwpn_digits(s, w)) {
		*canon = lc_xstrdup(w);
		return LC_NAME_WWPN;
	}
	return LC_NAME_BAD;
}

const char *lc_name_kind_str(enum lc_name_kind k)
{
	switch (k) {
	case LC_NAME_IQN:
		return "iqn.";
	case LC_NAME_EUI:
		return "eui.";
	case LC_NAME_NAA:
		return "naa.";
	case LC_NAME_WWPN:
		return "WWPN";
	case LC_NAME_BAD:
		break;
	}
	return "?";
}

bool lc_fabric_takes(enum lc_fabric f, enum lc_name_kind k)
{
	switch (f) {
	case LC_ISCSI:
		return k == LC_NAME_IQN || k == LC_NAME_EUI || k == LC_NAME_NAA;
	case LC_LOOPBACK:
		return k == LC_NAME_NAA;
	case LC_FC:
		return k == LC_NAME_WWPN;
	}
	return false;
}

/*
 * The directory name of a port or initiator name: qla2xxx parses WWPNs
 * strictly as 21:00:00:24:ff:31:4a:5b (tcm_qla2xxx_parse_wwn), the remote
 * fabric takes FC port names as fc.<hex> and reports what follows the
 * marker; everything else is its canonical form.
 */
char *lc_name_for_fabric(const char *canon, enum lc_name_kind k, bool remote)
{
	char *s;
	int i, o = 0;

	if (k != LC_NAME_WWPN)
		return lc_xstrdup(canon);
	if (remote)
		return lc_xasprintf("fc.%s", canon);
	s = lc_xcalloc(24, 1);
	for (i = 0; i < 16; i++) {
		s[o++] = canon[i];
		if (i % 2 && i < 15)
			s[o++] = ':';
	}
	return s;
}

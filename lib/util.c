// SPDX-License-Identifier: GPL-2.0
/* libliocluster: errors, allocation, and what a name may be. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int lc_fail(struct lc_error *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Out of memory is not recoverable for a configuration tool: say so and stop. */
static void *lc_oom(void *p)
{
	if (!p) {
		fputs("liocluster: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *lc_xcalloc(size_t n, size_t size)
{
	return lc_oom(calloc(n ? n : 1, size ? size : 1));
}

char *lc_xstrdup(const char *s)
{
	return lc_oom(strdup(s));
}

char *lc_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		s = NULL;
	return lc_oom(s);
}

/*
 * A configfs path component built from the description: letters, digits
 * and . _ : - only, so that it can never hold a slash, start a hidden or
 * relative name (".", ".."), or carry white space or control characters.
 */
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

/* A WWPN as 16 hex digits, with or without colons between the bytes. */
static bool valid_wwpn(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 16)
		return all_hex(s, 16);
	if (n != 23)
		return false;
	for (i = 0; i < n; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

bool lc_valid_wwn(enum lc_fabric fabric, const char *wwn)
{
	if (!lc_safe_component(wwn, LC_NAME_MAX))
		return false;
	switch (fabric) {
	case LC_ISCSI:
		/* RFC 7143 names: iqn.yyyy-mm.reversed.domain[:...], eui.16hex, naa.16/32hex */
		if (!strncmp(wwn, "iqn.", 4))
			return strlen(wwn) > 12 && isdigit((unsigned char)wwn[4]);
		if (!strncmp(wwn, "eui.", 4))
			return strlen(wwn) == 20 && all_hex(wwn + 4, 16);
		if (!strncmp(wwn, "naa.", 4))
			return (strlen(wwn) == 20 || strlen(wwn) == 36) &&
			       all_hex(wwn + 4, strlen(wwn) - 4);
		return false;
	case LC_LOOPBACK:
		/* tcm_loop: naa. names (SAS), the form this tool uses */
		return !strncmp(wwn, "naa.", 4) && strlen(wwn) == 20 &&
		       all_hex(wwn + 4, 16);
	case LC_FC:
		return valid_wwpn(wwn);
	}
	return false;
}

bool lc_valid_initiator(const char *name)
{
	if (!lc_safe_component(name, LC_NAME_MAX))
		return false;
	return !strncmp(name, "iqn.", 4) || !strncmp(name, "eui.", 4) ||
	       !strncmp(name, "naa.", 4) || valid_wwpn(name);
}

const char *lc_fabric_dir(enum lc_fabric f)
{
	switch (f) {
	case LC_ISCSI:
		return "iscsi";
	case LC_LOOPBACK:
		return "loopback";
	case LC_FC:
		return "qla2xxx";
	}
	return "?";
}

const char *lc_backstore_plugin(enum lc_backstore b)
{
	switch (b) {
	case LC_RD_MCP:
		return "rd_mcp";
	case LC_FILEIO:
		return "fileio";
	case LC_IBLOCK:
		return "iblock";
	}
	return "?";
}

/* qla2xxx names ports 21:00:00:24:ff:00:00:01 */
static char *wwpn_colons(const char *w)
{
	char *s;
	int i, o = 0;

	if (strlen(w) == 23)
		return lc_xstrdup(w);
	s = lc_xcalloc(24, 1);
	for (i = 0; i < 16; i++) {
		s[o++] = (char)tolower((unsigned char)w[i]);
		if (i % 2 && i < 15)
			s[o++] = ':';
	}
	return s;
}

char *lc_local_wwn_dir(const struct lc_port *p)
{
	if (p->fabric == LC_FC)
		return wwpn_colons(p->wwn);
	return lc_xstrdup(p->wwn);
}

/* On the remote fabric: the same name, with fc. before an FC port name */
char *lc_remote_wwn_dir(const struct lc_port *p)
{
	char *s, *o;
	const char *i;

	if (p->fabric != LC_FC)
		return lc_xstrdup(p->wwn);
	s = lc_xcalloc(3 + 17, 1);
	strcpy(s, "fc.");
	for (i = p->wwn, o = s + 3; *i; i++)
		if (*i != ':')
			*o++ = (char)tolower((unsigned char)*i);
	return s;
}

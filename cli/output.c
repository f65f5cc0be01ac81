// SPDX-License-Identifier: GPL-2.0
/* liocluster: printing what the library returns, as text or JSON. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void summary_text(const struct lc_plan *p, const char *node, FILE *f)
{
	fprintf(f, "%s: %zu to create, %zu to change, %zu to remove, %zu unchanged",
		node, lc_plan_summary(p, LC_CREATE), lc_plan_summary(p, LC_MODIFY),
		lc_plan_summary(p, LC_REMOVE), lc_plan_summary(p, LC_UNCHANGED));
	fprintf(f, " (%zu configfs operations)\n", lc_plan_count(p));
}

static void op_text(const struct lc_plan *p, size_t i, FILE *f)
{
	const char *path, *arg;
	enum lc_op_kind k = lc_plan_op(p, i, &path, &arg);

	switch (k) {
	case LC_OP_WRITE:
		fprintf(f, "  write   %s = %s\n", path, arg);
		break;
	case LC_OP_SYMLINK:
		fprintf(f, "  symlink %s -> %s\n", path, arg);
		break;
	default:
		fprintf(f, "  %-7s %s\n", lc_op_name(k), path);
	}
}

void print_plan(const struct lc_plan *p, const char *node, bool json, bool verbose, FILE *f)
{
	size_t i;

	if (json) {
		fputs("{\"node\":", f);
		json_str(f, node);
		fprintf(f, ",\"summary\":{\"create\":%zu,\"change\":%zu,\"remove\":%zu,\"unchanged\":%zu},",
			lc_plan_summary(p, LC_CREATE), lc_plan_summary(p, LC_MODIFY),
			lc_plan_summary(p, LC_REMOVE), lc_plan_summary(p, LC_UNCHANGED));
		fputs("\"operations\":[", f);
		for (i = 0; i < lc_plan_count(p); i++) {
			const char *path, *arg;
			enum lc_op_kind k = lc_plan_op(p, i, &path, &arg);

			fprintf(f, "%s{\"op\":\"%s\",\"change\":\"%s\",\"path\":", i ? "," : "",
				lc_op_name(k), lc_change_name(lc_plan_change(p, i)));
			json_str(f, path);
			if (arg && k != LC_OP_UNLINK && k != LC_OP_RMDIR && k != LC_OP_MKDIR) {
				fputs(k == LC_OP_WRITE ? ",\"value\":" : ",\"target\":", f);
				json_str(f, arg);
			}
			fputc('}', f);
		}
		fputs("],\"foreign\":[", f);
		for (i = 0; i < lc_plan_foreign_count(p); i++) {
			fputs(i ? "," : "", f);
			json_str(f, lc_plan_foreign(p, i));
		}
		fprintf(f, "],\"count\":%zu}\n", lc_plan_count(p));
		return;
	}
	summary_text(p, node, f);
	for (i = 0; verbose && i < lc_plan_count(p); i++)
		op_text(p, i, f);
	if (lc_plan_foreign_count(p)) {
		fprintf(f, "left alone (not liocluster's): %zu\n", lc_plan_foreign_count(p));
		for (i = 0; i < lc_plan_foreign_count(p) && (verbose || i < 10); i++)
			fprintf(f, "  %s\n", lc_plan_foreign(p, i));
		if (!verbose && lc_plan_foreign_count(p) > 10)
			fprintf(f, "  ... (-v lists all)\n");
	}
}

void print_applied(const struct lc_plan *p, const char *node, double secs, bool json, FILE *f)
{
	if (json) {
		fputs("{\"node\":", f);
		json_str(f, node);
		fprintf(f, ",\"operations\":%zu,\"created\":%zu,\"changed\":%zu,\"removed\":%zu,\"seconds\":%.3f}\n",
			lc_plan_count(p), lc_plan_summary(p, LC_CREATE), lc_plan_summary(p, LC_MODIFY),
			lc_plan_summary(p, LC_REMOVE), secs);
		return;
	}
	fprintf(f, "%s: %zu operations in %.3f s (%zu created, %zu changed, %zu removed)\n", node,
		lc_plan_count(p), secs, lc_plan_summary(p, LC_CREATE), lc_plan_summary(p, LC_MODIFY),
		lc_plan_summary(p, LC_REMOVE));
}

void print_left(const struct lc_plan *p, FILE *f)
{
	size_t i;

	if (!p || !lc_plan_left_count(p))
		return;
	fprintf(f, "liocluster: left behind by the failed rollback:\n");
	for (i = 0; i < lc_plan_left_count(p); i++)
		fprintf(f, "  %s\n", lc_plan_left(p, i));
}

void print_report(const struct lc_report *r, const char *node, bool json, FILE *f)
{
	size_t i;

	if (json) {
		fputs("{\"node\":", f);
		json_str(f, node);
		fputs(",\"differences\":[", f);
	}
	for (i = 0; i < lc_report_count(r); i++) {
		const char *path, *live, *want;
		enum lc_diff_kind k = lc_report_entry(r, i, &path, &live, &want);

		if (json) {
			fprintf(f, "%s{\"kind\":\"%s\",\"path\":", i ? "," : "", lc_diff_name(k));
			json_str(f, path);
			fputs(",\"live\":", f);
			json_str(f, live);
			fputs(",\"want\":", f);
			json_str(f, want);
			fputc('}', f);
			continue;
		}
		switch (k) {
		case LC_DIFF_MISSING:
			if (want)
				fprintf(f, "missing: %s -> %s\n", path, want);
			else
				fprintf(f, "missing: %s\n", path);
			break;
		case LC_DIFF_EXTRA:
			fprintf(f, "extra: %s\n", path);
			break;
		case LC_DIFF_DIFFERENT:
			fprintf(f, "different: %s is '%s', the description says '%s'\n", path,
				live ? live : "(unreadable)", want ? want : "");
			break;
		case LC_DIFF_RTPI:
			fprintf(f, "rtpi: %s reports '%s', the cluster's is '%s'\n", path,
				live ? live : "(none)", want ? want : "");
			break;
		case LC_DIFF_STATE:
			fprintf(f, "state: %s is %s, liocluster keeps %s\n", path, live ? live : "?",
				want ? want : "?");
			break;
		}
	}
	if (json)
		fprintf(f, "],\"count\":%zu}\n", lc_report_count(r));
}

/* The tree as targetcli ls draws it; colour only on a terminal */
void print_status(const struct lc_status *s, const char *node, bool json, bool colour, FILE *f)
{
	static const char *const marks[] = { "local", "mirror", "foreign", "drift", "missing" };
	size_t i, k, n = lc_status_count(s);
	int prev = -1;

	if (json) {
		fputs("{\"node\":", f);
		json_str(f, node);
		fputs(",\"objects\":[", f);
	} else {
		fprintf(f, "o- %s\n", node);
	}
	for (i = 0; i < n; i++) {
		const char *kind, *detail, *path, *name;
		unsigned int flags;
		int depth;
		bool last = true;

		name = lc_status_entry(s, i, &depth, &kind, &detail, &flags, &path);
		if (json) {
			fputs(i ? ",{\"path\":" : "{\"path\":", f);
			json_str(f, path);
			fputs(",\"kind\":", f);
			json_str(f, kind);
			fputs(",\"name\":", f);
			json_str(f, name);
			fprintf(f, ",\"depth\":%d,\"detail\":", depth);
			json_str(f, detail);
			fputs(",\"marks\":[", f);
			for (k = 0, prev = 0; k < 5; k++)
				if (flags & (1u << k)) {
					fputs(prev++ ? "," : "", f);
					json_str(f, marks[k]);
				}
			fputs("]}", f);
			continue;
		}
		for (k = i + 1; k < n; k++) {
			int dk;
			const char *a, *b, *c;
			unsigned int fl;

			lc_status_entry(s, k, &dk, &a, &b, &fl, &c);
			if (dk <= depth) {
				last = dk < depth;
				break;
			}
		}
		for (k = 0; k < (size_t)depth; k++)
			fputs("  ", f);
		fprintf(f, "  %s- ", last ? "`" : "o");
		if (colour)
			fputs(flags & (LC_STATUS_DRIFT | LC_STATUS_MISSING) ? "\033[31m" :
			      flags & LC_STATUS_FOREIGN ? "\033[33m" :
			      flags & LC_STATUS_MIRROR ? "\033[36m" :
			      flags & LC_STATUS_LOCAL ? "\033[32m" : "", f);
		fprintf(f, "%s", name);
		if (colour && flags)
			fputs("\033[0m", f);
		if (*detail)
			fprintf(f, " [%s]", detail);
		for (k = 0; k < 5; k++)
			if ((flags & (1u << k)) && k != 0 && k != 1)
				fprintf(f, " (%s)", marks[k]);
		fputc('\n', f);
	}
	if (json)
		fputs("]}\n", f);
}

/* --- YAML ------------------------------------------------------------------------------ */

/* Text YAML (1.1 or 1.2, any reader) would take for something else: a
 * number, a boolean or null, an indicator, a comment, a key */
static bool needs_quotes(const char *s)
{
	static const char *const words[] = { "null", "true", "false", "yes", "no", "on", "off",
		"y", "n", "~", NULL };
	const char *const *w;
	const char *p;
	bool numeric = true;

	if (!*s || s[0] == ' ' || s[strlen(s) - 1] == ' ' || strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
		return true;
	for (w = words; *w; w++)
		if (!strcasecmp(s, *w))
			return true;
	for (p = s; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch < 0x20 || ch >= 0x7f || strchr(",[]{}\"'\\", ch))
			return true;
		if ((ch == ':' && (p[1] == ' ' || !p[1])) || (ch == '#' && p > s && p[-1] == ' '))
			return true;
		numeric &= !!strchr("0123456789abcdefABCDEFxXoO._:+-", ch);
	}
	/* 21:00:00:24 (sexagesimal), 0x1f, 1e3, 010, .5 */
	return numeric && (isdigit((unsigned char)s[0]) || strchr("+-.", s[0]));
}

void yaml_text(FILE *f, const char *s)
{
	if (!needs_quotes(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void scalar(FILE *f, const struct lc_doc *d)
{
	if (d->plain)
		fputs(d->value, f);
	else
		yaml_text(f, d->value);
}

static void flow(FILE *f, const struct lc_doc *d)
{
	size_t i;

	if (d->kind == LC_DOC_SCALAR) {
		scalar(f, d);
		return;
	}
	fputc(d->kind == LC_DOC_MAP ? '{' : '[', f);
	for (i = 0; i < d->n; i++) {
		fputs(i ? ", " : "", f);
		if (d->kind == LC_DOC_MAP) {
			yaml_text(f, d->items[i]->key);
			fputs(": ", f);
		}
		flow(f, d->items[i]);
	}
	fputc(d->kind == LC_DOC_MAP ? '}' : ']', f);
}

static void block(FILE *f, const struct lc_doc *d, int indent, bool after_dash);

/* after "key:" or "- " */
static void value(FILE *f, const struct lc_doc *d, int indent)
{
	if (d->kind == LC_DOC_SCALAR || d->flow || !d->n) {
		fputc(' ', f);
		flow(f, d);
		fputc('\n', f);
		return;
	}
	fputc('\n', f);
	block(f, d, indent + 2, false);
}

static void block(FILE *f, const struct lc_doc *d, int indent, bool after_dash)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct lc_doc *e = d->items[i];

		if (i || !after_dash)
			fprintf(f, "%*s", indent, "");
		if (d->kind == LC_DOC_MAP) {
			yaml_text(f, e->key);
			fputc(':', f);
			value(f, e, indent);
			continue;
		}
		fputc('-', f);
		if (e->kind == LC_DOC_MAP && !e->flow && e->n) {
			fputc(' ', f);
			block(f, e, indent + 2, true);
		} else {
			fputc(' ', f);
			flow(f, e);
			fputc('\n', f);
		}
	}
}

void print_doc(const struct lc_doc *d, FILE *f)
{
	block(f, d, 0, false);
}

/* The secrets file: name: secret lines, mode 0600 from the start; the same
 * secret gives the same line on every node (sort -u merges them) */
int write_secrets(const char *path, const struct lc_import *imp, char *msg, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat st;
	size_t i;
	FILE *f;

	if (fd < 0) {
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || fchmod(fd, 0600)) {
		snprintf(msg, len, "%s: not a regular file this user can make private", path);
		close(fd);
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	fputs("# CHAP secrets for liocluster --secrets (keep it mode 0600, owned by root)\n", f);
	for (i = 0; i < lc_import_secret_count(imp); i++) {
		const char *name, *secret;

		lc_import_secret(imp, i, &name, &secret);
		yaml_text(f, name);
		fputs(": ", f);
		yaml_text(f, secret);
		fputc('\n', f);
	}
	if (fclose(f)) {
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

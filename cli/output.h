/* SPDX-License-Identifier: GPL-2.0 */
/* liocluster: the CLI's printing of what libliocluster returns. */
#ifndef LIOCLUSTER_OUTPUT_H
#define LIOCLUSTER_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "liocluster.h"

void json_str(FILE *f, const char *s);
void print_plan(const struct lc_plan *p, const char *node, bool json, bool verbose, FILE *f);
void print_applied(const struct lc_plan *p, const char *node, double secs, bool json, FILE *f);
void print_left(const struct lc_plan *p, FILE *f);
void print_report(const struct lc_report *r, const char *node, bool json, FILE *f);
/* YAML: a text scalar, quoted where a reader would misread it; a document */
void yaml_text(FILE *f, const char *s);
void print_doc(const struct lc_doc *d, FILE *f);
/* Write an import's CHAP secrets to PATH, mode 0600; -1 and MSG on failure */
int write_secrets(const char *path, const struct lc_import *imp, char *msg, size_t len);
void print_status(const struct lc_status *s, const char *node, bool json, bool colour, FILE *f);

#endif

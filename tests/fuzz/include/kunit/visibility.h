/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef HORNET_FUZZ_KUNIT_VISIBILITY_H
#define HORNET_FUZZ_KUNIT_VISIBILITY_H

/* A redeclaration, so that the ';' after each use stays a declaration. */
#define EXPORT_SYMBOL_IF_KUNIT(sym) extern __typeof__(sym) sym

#endif

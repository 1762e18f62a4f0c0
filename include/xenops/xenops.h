/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: manage the guests of one Xen host. Include this header; it
 * includes the others. Conventions: docs/api.md.
 */
#ifndef XENOPS_XENOPS_H
#define XENOPS_XENOPS_H

#include "common.h"
#include "context.h"
#include "vm.h"
#include "device.h"
#include "task.h"
#include "updates.h"
#include "import.h"
#include "migrate.h"

#endif /* XENOPS_XENOPS_H */

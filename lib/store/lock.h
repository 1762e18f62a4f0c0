/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state directory's lock: one context at a time may use a state
 * directory, whether the others are in this process or in another one.
 */
#ifndef XO_STORE_LOCK_H
#define XO_STORE_LOCK_H

struct xo_dir_lock;
struct xo_error;

/*
 * Take the exclusive lock STATE_DIR/lock (flock, never waits; the file is
 * created mode 0600 and keeps the holder's pid for the message). Errors:
 * XENOPS_EBUSY naming @dir (and the holder's pid when known) when another
 * context holds it, XENOPS_EIO / XENOPS_EPERM when the file cannot be
 * opened, XENOPS_ENOMEM.
 */
int xo_dir_lock(struct xo_dir_lock **out, const char *dir, struct xo_error *err);

/* Release the lock (the file stays). NULL is harmless. */
void xo_dir_unlock(struct xo_dir_lock *l);

#endif /* XO_STORE_LOCK_H */

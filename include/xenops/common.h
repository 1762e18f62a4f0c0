/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxenops: versions, error codes, last-error and memory helpers shared by
 * every other public header.
 */
#ifndef XENOPS_COMMON_H
#define XENOPS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The one export macro: every public function carries it. */
#if defined(XENOPS_BUILDING_LIBRARY) && defined(__GNUC__)
#define XENOPS_API __attribute__((visibility("default")))
#else
#define XENOPS_API
#endif

/** Compile-time version of the headers. @since 0.1 */
#define XENOPS_VERSION_MAJOR 0
#define XENOPS_VERSION_MINOR 2
#define XENOPS_VERSION_PATCH 0
/** The version as one number: 0xMMmmpp. @since 0.1 */
#define XENOPS_VERSION_NUMBER \
	((XENOPS_VERSION_MAJOR << 16) | (XENOPS_VERSION_MINOR << 8) | XENOPS_VERSION_PATCH)

/**
 * Error codes. Every fallible call returns 0 on success or one of these
 * negative values. Values are fixed forever and never reused; new codes are
 * only ever appended.
 * @since 0.1
 */
enum xenops_error {
	XENOPS_OK = 0,
	XENOPS_EINVAL = -1,      /**< an argument or a configuration field is invalid */
	XENOPS_ENOMEM = -2,      /**< out of memory */
	XENOPS_ENOTFOUND = -3,   /**< no object with that id */
	XENOPS_EEXIST = -4,      /**< an object with that id already exists */
	XENOPS_EBADSTATE = -5,   /**< the operation is illegal in the object's current state */
	XENOPS_EBUSY = -6,       /**< the object is in use (running VM, plugged device) */
	XENOPS_ETIMEDOUT = -7,   /**< a wait ended before its condition was met */
	XENOPS_ECANCELLED = -8,  /**< the task was cancelled */
	XENOPS_ENOTSUP = -9,     /**< not supported by this backend or build */
	XENOPS_EBACKEND = -10,   /**< the backend (hypervisor, xenstore, simulator) failed */
	XENOPS_EIO = -11,        /**< a file or store operation failed */
	XENOPS_ERESYNC = -12,    /**< an update token is stale: resync with a NULL token */
	XENOPS_ENOACK = -13,     /**< the guest did not acknowledge a shutdown request in time */
	XENOPS_ENOSHUTDOWN = -14,/**< the guest acknowledged but did not shut down in time */
	XENOPS_ECORRUPT = -15,   /**< a stored record is unreadable; the object is in error state */
	XENOPS_EPERM = -16,      /**< permission denied */
	XENOPS_ENOSPC = -17,     /**< no space left where state is stored */
	XENOPS_EINTERNAL = -18,  /**< a bug in libxenops: please report it */
};

/**
 * Static description of an error code ("invalid argument").
 *
 * @param code  an error code (enum xenops_error) or any other value.
 * @return a static string, never NULL; "unknown error" for an unknown code.
 * Cannot fail; leaves the last error alone. Any thread. @since 0.1
 */
XENOPS_API const char *xenops_strerror(int code);

/**
 * Symbolic name of an error code ("XENOPS_EINVAL").
 *
 * @param code  an error code (enum xenops_error) or any other value.
 * @return a static string, never NULL.
 * Cannot fail; leaves the last error alone. Any thread. @since 0.1
 */
XENOPS_API const char *xenops_strerror_name(int code);

/**
 * Code of the last error raised by a public call on the calling thread, or 0.
 * Each public call that can fail resets it on entry; the helpers that cannot
 * (xenops_strerror*, xenops_last_error*, xenops_free, xenops_strv_free,
 * xenops_version*, the *_name functions, xenops_updates_free/next/count/
 * barrier_count) leave it alone.
 *
 * @return the code (enum xenops_error), or 0.
 * Cannot fail. Any thread: the value is the calling thread's own. @since 0.1
 */
XENOPS_API int xenops_last_error(void);

/**
 * Message of the last error on the calling thread (it names the bad argument
 * or field).
 *
 * @return a string borrowed from the library, valid until the next public call
 * on this thread; never NULL ("" when there was no error).
 * Cannot fail. Any thread: the message is the calling thread's own. @since 0.1
 */
XENOPS_API const char *xenops_last_error_message(void);

/**
 * Free memory returned by the library (strings, JSON texts).
 *
 * @param ptr  what a library call returned, now owned by the caller; NULL is
 *             harmless.
 * Cannot fail. Any thread. @since 0.1
 */
XENOPS_API void xenops_free(void *ptr);

/**
 * Free a NULL-terminated string array returned by a list call, and its
 * strings.
 *
 * @param strv  the array, now owned by the caller; NULL is harmless.
 * Cannot fail. Any thread. @since 0.1
 */
XENOPS_API void xenops_strv_free(char **strv);

/**
 * Runtime version of the library as "MAJOR.MINOR.PATCH". Compare with
 * XENOPS_VERSION_* to detect a header/library mismatch.
 *
 * @return a static string.
 * Cannot fail. Any thread. @since 0.1
 */
XENOPS_API const char *xenops_version(void);

/**
 * Runtime version as XENOPS_VERSION_NUMBER would give it (0xMMmmpp).
 *
 * @return the version number.
 * Cannot fail. Any thread. @since 0.1
 */
XENOPS_API unsigned int xenops_version_number(void);

#ifdef __cplusplus
}
#endif
#endif /* XENOPS_COMMON_H */

/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hugesg user-space ABI: the flags that say how a buffer is backed and used.
 */
#ifndef _UAPI_LINUX_HUGESG_H
#define _UAPI_LINUX_HUGESG_H

/* How the range must be backed: exactly one of these three ... */
#define HUGESG_NORMAL		0x0	/* ordinary pages only, no hugetlb page */
#define HUGESG_HUGE		0x1	/* hugetlb pages only (any hugepage size) */
#define HUGESG_AUTO		0x2	/* either, decided page by page */
#define HUGESG_MODE_MASK	0x3
/* ... optionally with: */
#define HUGESG_WRITE		0x4	/* the device writes: pin writable, dirty on release */
#define HUGESG_FLAGS_MASK	(HUGESG_MODE_MASK | HUGESG_WRITE)

#endif /* _UAPI_LINUX_HUGESG_H */

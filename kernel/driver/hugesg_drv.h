/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hugesg_drv: the reference driver's internal interfaces between the char
 * device (hugesg_drv_main.c) and its engines (engines/: one file each,
 * which the char device knows only by their struct hugesg_engine_ops).
 */
#ifndef _HUGESG_DRV_H
#define _HUGESG_DRV_H

#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/hugesg.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/xarray.h>

struct hugesg_engine;
struct hugesg_file;
struct hugesg_reg;
struct pci_dev;
struct hugesg_ring;

/*
 * What an engine does for the char device (hugesg_drv_main.c), which calls
 * an engine only through these: each engine file fills one, static const,
 * and points its engines at it.  A NULL operation is one the engine does
 * not do: STREAM_START on its buffers, or a TRANSFER naming its type, is
 * then -EINVAL.
 *
 * @stream_start: start a stream of file @f into (or from) @reg, a buffer of
 *	this engine; f->lock held, the file has no stream.  On success the
 *	engine sets f->stream (itself) and f->stream_reg, and holds a
 *	reference on itself until @stream_stop.
 * @stream_stop: stop the file's stream (f->lock held), report its final
 *	state, clear f->stream and f->stream_reg, drop that reference.
 * @ring_wait: wait for the file's stream to produce st->min_bytes (no lock
 *	held: it sleeps on f->wq); -ECANCELED if the stream was stopped.
 * @ring_ack: the caller consumed st->min_bytes more (f->lock held).
 * @poll: poll() of a file with a stream (f->lock held); poll_wait() on f->wq.
 * @transfer: a device-mediated copy between two buffers of this engine.
 * @free: free the engine, its last reference gone.
 */
struct hugesg_engine_ops {
	int (*stream_start)(struct hugesg_file *f, struct hugesg_reg *reg,
			    const struct hugesg_stream *req);
	int (*stream_stop)(struct hugesg_file *f, struct hugesg_ring *st);
	int (*ring_wait)(struct hugesg_file *f, struct hugesg_ring *st);
	int (*ring_ack)(struct hugesg_file *f, struct hugesg_ring *st);
	__poll_t (*poll)(struct hugesg_file *f, struct file *file,
			 poll_table *wait);
	int (*transfer)(struct hugesg_reg *src, struct hugesg_reg *dst,
			const struct hugesg_transfer *req);
	void (*free)(struct hugesg_engine *eng);
};

/*
 * An engine: one DMA device.  It outlives its PCI device until the last
 * registration mapped for it is gone (kref).  @lock serializes jobs,
 * mappings and removal; @removed is set first thing in remove().
 */
struct hugesg_engine {
	struct list_head node;		/* in the engine list */
	struct kref ref;
	u32 id;				/* the device's id: hugesg_engine_add() */
	unsigned int type;		/* HUGESG_ENGINE_* */
	struct device *dev;		/* what buffers are mapped for */
	struct mutex lock;
	struct list_head regs;		/* registrations mapped for it */
	bool removed;
	bool wedged;			/* a DMA may still be going: no new maps */
	bool iommu;			/* behind a translating IOMMU */
	bool iommu_strict;		/* ... that invalidates on unmap */
	/* how a HUGESG_WRITE buffer is mapped: what the engine does with it */
	enum dma_data_direction write_dir;
	const struct hugesg_engine_ops *ops;
};

/* A registered buffer of one file. */
struct hugesg_reg {
	u32 handle;
	struct hugesg_buf *buf;
	struct hugesg_engine *eng;
	enum dma_data_direction dir;
	bool mapped;			/* under eng->lock */
	bool quarantine;		/* a device may still write: keep pinned */
	unsigned int busy;		/* jobs using it, under file->lock */
	struct list_head eng_node;	/* in eng->regs */
};

/*
 * One open file.  @wq is where its stream's waiters and poll() sleep: it
 * lives exactly as long as the file, so an epoll entry on it (which goes
 * with the file) never outlives it, whenever the engine the file streams
 * on goes away.
 */
struct hugesg_file {
	struct mutex lock;
	wait_queue_head_t wq;
	struct xarray regs;		/* handle -> struct hugesg_reg */
	struct hugesg_engine *stream;	/* the engine running our stream */
	struct hugesg_reg *stream_reg;
};

/* engine registry (hugesg_drv_main.c) */
void hugesg_engine_add(struct hugesg_engine *eng);
void hugesg_engine_remove(struct hugesg_engine *eng);
void hugesg_engine_put(struct hugesg_engine *eng);
int hugesg_engine_pci_enable(struct pci_dev *pdev, const char *name, int bar,
			     irq_handler_t handler, void *data,
			     unsigned int dma_bits, void __iomem **regs);
void hugesg_engine_pci_disable(struct pci_dev *pdev, void __iomem *regs,
			       void *data);

void hugesg_reg_sync(struct hugesg_reg *reg, u64 off, u64 len, bool for_cpu);

/*
 * The engines' PCI drivers, one per engine file hugesg_<name>.c, which
 * defines struct pci_driver hugesg_<name>_driver.  HUGESG_ENGINES(x) comes
 * from Kbuild's list of engines: x(name) for each, separated by commas.
 */
#define HUGESG_ENGINE_DRIVER(name) hugesg_##name##_driver
extern struct pci_driver HUGESG_ENGINES(HUGESG_ENGINE_DRIVER);

#endif /* _HUGESG_DRV_H */

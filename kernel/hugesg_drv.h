/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hugesg_drv: the reference driver's internal interfaces between the char
 * device (hugesg_drv_main.c) and its engines (hugesg_fpga.c, hugesg_edu.c).
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

struct hugesg_file;
struct pci_dev;
struct hugesg_ring;

/*
 * An engine: one DMA device.  It outlives its PCI device until the last
 * registration mapped for it is gone (kref).  @lock serializes jobs,
 * mappings and removal; @removed is set first thing in remove().
 */
struct hugesg_engine {
	struct list_head node;		/* in the engine list */
	struct kref ref;
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
	void (*free)(struct hugesg_engine *eng);
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

struct hugesg_fpga;

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
	struct hugesg_fpga *stream;	/* the engine running our stream */
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

/* the hugesg-fpga engine (hugesg_fpga.c) */
extern struct pci_driver hugesg_fpga_driver;
int hugesg_fpga_stream_start(struct hugesg_file *f, struct hugesg_reg *reg,
			     const struct hugesg_stream *req);
int hugesg_fpga_stream_stop(struct hugesg_file *f, struct hugesg_ring *st);
int hugesg_fpga_ring_wait(struct hugesg_file *f, struct hugesg_ring *st);
int hugesg_fpga_ring_ack(struct hugesg_file *f, struct hugesg_ring *st);
__poll_t hugesg_fpga_poll(struct hugesg_file *f, struct file *file,
			  poll_table *wait);

/* the edu engine (hugesg_edu.c) */
extern struct pci_driver hugesg_edu_driver;
int hugesg_edu_transfer(struct hugesg_reg *src, struct hugesg_reg *dst,
			const struct hugesg_transfer *req);

#endif /* _HUGESG_DRV_H */

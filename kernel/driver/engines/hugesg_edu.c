// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_drv: the edu engine, QEMU's educational PCI device (1234:11e8), a
 * bus master nobody here wrote.  It copies between two registered buffers
 * through its window: each piece is a DMA from the source into the
 * window, then from the window into the destination, never crossing a DMA
 * segment of either buffer.  Its register layout is QEMU's
 * docs/specs/edu.txt; each DMA completes 100 ms (virtual) after it starts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "compat.h"
#include "../hugesg_drv.h"

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8
#define EDU_REG_ID		0x00
#define EDU_ID_MASK		0xffff
#define EDU_ID_VALUE		0x00ed
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_DMA_IRQ		0x4
#define EDU_IRQ_DMA		0x100
#define EDU_WINDOW		0x40000
/*
 * The window is 4 KiB, but QEMU 7.2's range check (edu_check_range()) wants
 * the end of a DMA strictly inside it: a piece is at most 4 KiB - 8.
 */
#define EDU_PIECE		(4096 - 8)
#define EDU_DMA_TIMEOUT_MS	5000
/*
 * edu drives 28 address bits (QEMU's dma_mask property, 0xfffffff by
 * default): without an IOMMU a buffer above 256 MiB is bounced, behind one
 * it gets IOVAs below 256 MiB.
 */
#define EDU_DMA_BITS		28

/*
 * @xfer serializes copies (edu has one DMA engine) and is what remove()
 * waits on for the copy in flight; a copy takes eng.lock only for moments,
 * so that others' register, unregister and release, which need it, never
 * wait for a copy.  Lock order: xfer, then eng.lock.  A copy queues for
 * @xfer on @xfer_wq (woken at each unlock), so that its own timeout and a
 * fatal signal end the wait behind another's copy.
 */
struct hugesg_edu {
	struct hugesg_engine eng;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct mutex xfer;
	wait_queue_head_t xfer_wq;
	struct completion dma_done;	/* under xfer */
	bool going;			/* remove() has begun */
};

static struct hugesg_edu *to_edu(struct hugesg_engine *eng)
{
	return container_of(eng, struct hugesg_edu, eng);
}

static irqreturn_t hugesg_edu_irq(int irq, void *data)
{
	struct hugesg_edu *edu = data;
	u32 status = readl(edu->regs + EDU_REG_IRQ_STATUS);

	if (!status || status == ~0U)
		return IRQ_NONE;
	writel(status, edu->regs + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&edu->dma_done);
	return IRQ_HANDLED;
}

/* One DMA, waited for whatever happens: it writes memory until it is done. */
static int hugesg_edu_dma(struct hugesg_edu *edu, u64 src, u64 dst, u32 len,
			  u32 dir)
{
	void __iomem *r = edu->regs;

	reinit_completion(&edu->dma_done);
	writeq(src, r + EDU_REG_DMA_SRC);
	writeq(dst, r + EDU_REG_DMA_DST);
	writeq(len, r + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_RUN | EDU_DMA_IRQ | dir, r + EDU_REG_DMA_CMD);
	if (!wait_for_completion_timeout(&edu->dma_done,
					 msecs_to_jiffies(EDU_DMA_TIMEOUT_MS))) {
		/* cut it off: no further DMA, no interrupt */
		dev_err(&edu->pdev->dev, "DMA did not complete\n");
		mutex_lock(&edu->eng.lock);
		edu->eng.wedged = true;
		pci_clear_master(edu->pdev);
		mutex_unlock(&edu->eng.lock);
		return -ETIMEDOUT;
	}
	return 0;
}

/* A position in the DMA segments of a mapped table. */
struct hugesg_dma_cursor {
	struct scatterlist *sg;
	u64 off;
};

static void hugesg_cursor_init(struct hugesg_dma_cursor *c,
			       struct sg_table *sgt, u64 offset)
{
	c->sg = sgt->sgl;
	c->off = offset;
	while (c->off >= sg_dma_len(c->sg)) {
		c->off -= sg_dma_len(c->sg);
		c->sg = sg_next(c->sg);
	}
}

static u64 hugesg_cursor_left(struct hugesg_dma_cursor *c)
{
	return sg_dma_len(c->sg) - c->off;
}

static void hugesg_cursor_advance(struct hugesg_dma_cursor *c, u64 n)
{
	c->off += n;
	if (c->off == sg_dma_len(c->sg) && !sg_is_last(c->sg)) {
		c->sg = sg_next(c->sg);
		c->off = 0;
	}
}

static bool hugesg_range_ok(struct hugesg_reg *reg, u64 off, u64 len)
{
	return off + len >= off && off + len <= reg->buf->len;
}

static int hugesg_edu_transfer(struct hugesg_reg *src, struct hugesg_reg *dst,
			       const struct hugesg_transfer *req)
{
	struct hugesg_engine *eng = src->eng;
	struct hugesg_dma_cursor s, d;
	unsigned long deadline = jiffies + msecs_to_jiffies(req->timeout_ms);
	struct hugesg_edu *edu;
	u64 done = 0;
	long left;
	int ret = 0;

	if (dst->eng != eng || !req->len ||
	    !(dst->buf->flags & HUGESG_WRITE) ||
	    !hugesg_range_ok(src, req->src_offset, req->len) ||
	    !hugesg_range_ok(dst, req->dst_offset, req->len))
		return -EINVAL;
	edu = to_edu(eng);

	/*
	 * Both buffers are busy and their file is in this ioctl: no
	 * unregister or release frees them.  Only remove() could unmap them,
	 * and it takes xfer first: they stay mapped until the copy is over.
	 */
	left = wait_event_killable_timeout(edu->xfer_wq,
					   mutex_trylock(&edu->xfer),
					   req->timeout_ms ?
					   msecs_to_jiffies(req->timeout_ms) :
					   MAX_SCHEDULE_TIMEOUT);
	if (left < 0)
		return -EINTR;
	if (!left)
		return -ETIMEDOUT;
	mutex_lock(&eng->lock);
	if (READ_ONCE(edu->going) || !src->mapped || !dst->mapped)
		ret = -ENODEV;
	else if (edu->eng.wedged)
		ret = -EIO;
	mutex_unlock(&eng->lock);
	if (ret)
		goto out;
	hugesg_cursor_init(&s, &src->buf->sgt, req->src_offset);
	hugesg_cursor_init(&d, &dst->buf->sgt, req->dst_offset);
	/*
	 * the device reads the source range, and writes only the target's:
	 * both are the device's from here (no CPU cache line of the target
	 * may be written back over what it writes)
	 */
	hugesg_reg_sync(src, req->src_offset, req->len, false);
	hugesg_reg_sync(dst, req->dst_offset, req->len, false);
	while (done < req->len) {
		u32 n = min3(req->len - done, hugesg_cursor_left(&s),
			     hugesg_cursor_left(&d));

		n = min_t(u32, n, EDU_PIECE);
		if (READ_ONCE(edu->going)) {
			ret = -ENODEV;
			break;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (req->timeout_ms && time_after(jiffies, deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
		ret = hugesg_edu_dma(edu, sg_dma_address(s.sg) + s.off,
				     EDU_WINDOW, n, 0);
		if (!ret)
			ret = hugesg_edu_dma(edu, EDU_WINDOW,
					     sg_dma_address(d.sg) + d.off, n,
					     EDU_DMA_TO_RAM);
		if (ret) {
			/* the DMA may still land: keep both buffers pinned */
			if (!eng->iommu_strict)
				src->quarantine = dst->quarantine = true;
			break;
		}
		hugesg_cursor_advance(&s, n);
		hugesg_cursor_advance(&d, n);
		done += n;
	}
	hugesg_reg_sync(dst, req->dst_offset, done, true);
out:
	mutex_unlock(&edu->xfer);
	wake_up(&edu->xfer_wq);
	return ret;
}

static void hugesg_edu_free(struct hugesg_engine *eng)
{
	struct hugesg_edu *edu = to_edu(eng);

	mutex_destroy(&edu->xfer);
	kfree(edu);
}

/* edu copies; it does not stream */
static const struct hugesg_engine_ops hugesg_edu_ops = {
	.transfer = hugesg_edu_transfer,
	.free = hugesg_edu_free,
};

static int hugesg_edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct hugesg_edu *edu;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	mutex_init(&edu->xfer);
	init_waitqueue_head(&edu->xfer_wq);
	init_completion(&edu->dma_done);
	ret = hugesg_engine_pci_enable(pdev, "hugesg-edu", 0, hugesg_edu_irq,
				       edu, EDU_DMA_BITS, &edu->regs);
	if (ret)
		goto err_free;
	if ((readl(edu->regs + EDU_REG_ID) & EDU_ID_MASK) != EDU_ID_VALUE) {
		ret = -ENODEV;
		goto err_disable;
	}
	/* edu has no reset; it starts a DMA only when told to */
	pci_set_master(pdev);

	edu->eng.type = HUGESG_ENGINE_EDU;
	/* a buffer it writes may be the source of the next copy */
	edu->eng.write_dir = DMA_BIDIRECTIONAL;
	edu->eng.dev = &pdev->dev;
	edu->eng.ops = &hugesg_edu_ops;
	hugesg_engine_add(&edu->eng);
	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "edu engine%s\n",
		 edu->eng.iommu ? ", behind an IOMMU" : "");
	return 0;

err_disable:
	hugesg_engine_pci_disable(pdev, edu->regs, edu);
err_free:
	mutex_destroy(&edu->xfer);
	kfree(edu);
	return ret;
}

/* A transfer in progress fails with -ENODEV after its current piece. */
static void hugesg_edu_remove(struct pci_dev *pdev)
{
	struct hugesg_edu *edu = pci_get_drvdata(pdev);

	WRITE_ONCE(edu->going, true);
	mutex_lock(&edu->xfer);
	mutex_lock(&edu->eng.lock);
	edu->eng.removed = true;
	mutex_unlock(&edu->eng.lock);
	mutex_unlock(&edu->xfer);
	wake_up(&edu->xfer_wq);
	hugesg_engine_remove(&edu->eng);
	hugesg_engine_pci_disable(pdev, edu->regs, edu);
	hugesg_engine_put(&edu->eng);
}

static const struct pci_device_id hugesg_edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, hugesg_edu_ids);

struct pci_driver hugesg_edu_driver = {
	.name = "hugesg-edu",
	.id_table = hugesg_edu_ids,
	.probe = hugesg_edu_probe,
	.remove = hugesg_edu_remove,
};

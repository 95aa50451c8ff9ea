// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_drv: the reference driver, /dev/hugesg.
 *
 * Each open file registers user buffers (hugesg_buf_pin(), then
 * dma_map_sgtable() for the chosen engine's device) and runs jobs on the
 * engines with them.  The order of teardown is what makes a crash safe:
 *
 *   release() (last close, also on exit and kill -9), PCI remove and module
 *   unload all 1. stop every engine job that uses the buffers and wait until
 *   the device confirms it no longer touches memory, 2. unmap the buffers
 *   from the device, 3. unpin them.  Only then may the pages be reused.
 *
 * A device that never confirms the stop is a broken device ("wedged"): its
 * buffers are unmapped (an IOMMU then faults whatever it still sends), and
 * unpinned only when the IOMMU translates in strict mode; otherwise they
 * stay pinned for good (quarantine) rather than be handed to someone else
 * while the device may still write into them.  A wedged engine maps no new
 * buffer, so that none can be given a bus address the device still uses;
 * its PCI remove cuts its bus mastering.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "hugesg_drv.h"

/*
 * The engines, in the order they were added, so in the order of their ids:
 * a device's id is never given again while the module is loaded (the
 * uapi header), so a stale id names no device rather than another one.
 */
static LIST_HEAD(hugesg_engines);
static DEFINE_MUTEX(hugesg_engines_lock);
static u32 hugesg_engines_last_id;

void hugesg_engine_add(struct hugesg_engine *eng)
{
	/* the device (its dma_parms, its iommu group) lives as long */
	get_device(eng->dev);
	kref_init(&eng->ref);
	mutex_init(&eng->lock);
	INIT_LIST_HEAD(&eng->regs);
	eng->iommu = hugesg_iommu_translates(eng->dev);
	eng->iommu_strict = hugesg_iommu_strict(eng->dev);
	mutex_lock(&hugesg_engines_lock);
	eng->id = ++hugesg_engines_last_id;
	list_add_tail(&eng->node, &hugesg_engines);
	mutex_unlock(&hugesg_engines_lock);
}

static void hugesg_engine_release(struct kref *ref)
{
	struct hugesg_engine *eng = container_of(ref, struct hugesg_engine, ref);
	struct device *dev = eng->dev;

	mutex_destroy(&eng->lock);
	eng->ops->free(eng);
	put_device(dev);
}

void hugesg_engine_put(struct hugesg_engine *eng)
{
	kref_put(&eng->ref, hugesg_engine_release);
}

/*
 * The engine's device goes away (its job was stopped by the caller): unmap
 * every buffer still mapped for it.  The buffers stay pinned until their
 * files unregister them or close.
 */
void hugesg_engine_remove(struct hugesg_engine *eng)
{
	struct hugesg_reg *reg, *tmp;

	mutex_lock(&hugesg_engines_lock);
	list_del(&eng->node);
	mutex_unlock(&hugesg_engines_lock);

	mutex_lock(&eng->lock);
	list_for_each_entry_safe(reg, tmp, &eng->regs, eng_node) {
		dma_unmap_sgtable(eng->dev, &reg->buf->sgt, reg->dir, 0);
		reg->mapped = false;
		list_del_init(&reg->eng_node);
	}
	mutex_unlock(&eng->lock);
}

/*
 * The PCI setup both engines share: enable the device, claim and map BAR
 * @bar, DMA to the @dma_bits addresses the device can drive with segments
 * up to 4 GiB (iommu-dma merges entries up to this size), and one
 * interrupt (MSI, else INTx) for @handler.  Not bus mastering: the engine
 * turns it on once it has reset the device, which may still run from
 * before (a previous driver, a kexec).  Undone by
 * hugesg_engine_pci_disable().
 */
int hugesg_engine_pci_enable(struct pci_dev *pdev, const char *name, int bar,
			     irq_handler_t handler, void *data,
			     unsigned int dma_bits, void __iomem **regs)
{
	int ret;

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_regions(pdev, name);
	if (ret)
		goto err_disable;
	*regs = pci_iomap(pdev, bar, 0);
	if (!*regs) {
		ret = -ENOMEM;
		goto err_regions;
	}
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (!ret)
		ret = hugesg_dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	if (ret)
		goto err_unmap;
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | HUGESG_PCI_IRQ_INTX);
	if (ret < 0)
		goto err_unmap;
	ret = request_irq(pci_irq_vector(pdev, 0), handler, IRQF_SHARED, name,
			  data);
	if (ret)
		goto err_vectors;
	return 0;

err_vectors:
	pci_free_irq_vectors(pdev);
err_unmap:
	pci_iounmap(pdev, *regs);
err_regions:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
	return ret;
}

void hugesg_engine_pci_disable(struct pci_dev *pdev, void __iomem *regs,
			       void *data)
{
	free_irq(pci_irq_vector(pdev, 0), data);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, regs);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
}

/*
 * The engine of a REGISTER, referenced: device @id, which must be of
 * @type, or with @id 0 the first engine of @type.  An engine being removed
 * is none: -ENODEV; a device of another type: -EINVAL.
 */
static struct hugesg_engine *hugesg_engine_get(unsigned int type, u32 id)
{
	struct hugesg_engine *eng, *found = ERR_PTR(-ENODEV);

	mutex_lock(&hugesg_engines_lock);
	list_for_each_entry(eng, &hugesg_engines, node) {
		if (READ_ONCE(eng->removed) ||
		    (id ? eng->id != id : eng->type != type))
			continue;
		if (eng->type != type) {
			found = ERR_PTR(-EINVAL);
		} else {
			kref_get(&eng->ref);
			found = eng;
		}
		break;
	}
	mutex_unlock(&hugesg_engines_lock);
	return found;
}

/* The largest ioctl argument (include/uapi/linux/hugesg.h) */
#define HUGESG_ARG_SIZE_MAX	4096

/* An ioctl command without its size bits: its type, number and direction. */
#define HUGESG_IOC_BASE(cmd)	((cmd) & ~IOCSIZE_MASK)

/* The first version of each argument ends where the header says. */
static_assert(offsetofend(struct hugesg_info, pad) == HUGESG_INFO_SIZE_VER1);
static_assert(offsetofend(struct hugesg_info, pad2) == HUGESG_INFO_SIZE_VER2);
static_assert(offsetofend(struct hugesg_register, page_sizes) ==
	      HUGESG_REGISTER_SIZE_VER1);
static_assert(offsetofend(struct hugesg_register, pad2) ==
	      HUGESG_REGISTER_SIZE_VER2);
static_assert(offsetofend(struct hugesg_device, pad2) ==
	      HUGESG_DEVICE_SIZE_VER1);
static_assert(offsetofend(struct hugesg_unregister, handle) ==
	      HUGESG_UNREGISTER_SIZE_VER1);
static_assert(offsetofend(struct hugesg_segments, segs) ==
	      HUGESG_SEGMENTS_SIZE_VER1);
static_assert(offsetofend(struct hugesg_stream, rate) ==
	      HUGESG_STREAM_SIZE_VER1);
static_assert(offsetofend(struct hugesg_ring, pad) == HUGESG_RING_SIZE_VER1);
static_assert(offsetofend(struct hugesg_transfer, pad) ==
	      HUGESG_TRANSFER_SIZE_VER1);

/*
 * Copy an ioctl argument in, as include/uapi/linux/hugesg.h says: its size
 * field must be the size in @cmd, at least @min (the struct's first
 * version), at most HUGESG_ARG_SIZE_MAX; the bytes past our struct must be
 * zero (-E2BIG), and ours past the caller's are zeroed.
 */
static int hugesg_copy_in(void *karg, size_t ksize, size_t min,
			  unsigned int cmd, void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < min || usize != _IOC_SIZE(cmd))
		return -EINVAL;
	if (usize > HUGESG_ARG_SIZE_MAX)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	/*
	 * the size checked above, not a second read that a thread of the
	 * caller may have changed meanwhile: hugesg_copy_out() goes by it
	 */
	*(u32 *)karg = usize;
	return ret;
}

/* Copy the result out, no more than the caller's struct holds. */
static int hugesg_copy_out(void __user *uarg, const void *karg, size_t ksize)
{
	u32 usize = *(const u32 *)karg;

	return copy_to_user(uarg, karg, min_t(size_t, usize, ksize)) ? -EFAULT : 0;
}

/*
 * Sync bytes [@off, @off + @len) of a mapped buffer for the CPU or for the
 * device, and no others.  Where the mapping bounces (swiotlb), a sync
 * copies: a range the other side still owns must not be synced, or one
 * side's stale copy lands over what the other wrote since.
 */
void hugesg_reg_sync(struct hugesg_reg *reg, u64 off, u64 len, bool for_cpu)
{
	struct device *dev = reg->eng->dev;
	struct scatterlist *sg;
	unsigned int i;
	u64 seg, n;

	for_each_sgtable_dma_sg(&reg->buf->sgt, sg, i) {
		if (!len)
			break;
		seg = sg_dma_len(sg);
		if (off >= seg) {
			off -= seg;
			continue;
		}
		n = min(seg - off, len);
		if (for_cpu)
			dma_sync_single_range_for_cpu(dev, sg_dma_address(sg),
						      off, n, reg->dir);
		else
			dma_sync_single_range_for_device(dev, sg_dma_address(sg),
							 off, n, reg->dir);
		off = 0;
		len -= n;
	}
}

static void hugesg_reg_free(struct hugesg_file *f, struct hugesg_reg *reg)
{
	struct hugesg_engine *eng = reg->eng;

	mutex_lock(&eng->lock);
	if (reg->mapped) {
		dma_unmap_sgtable(eng->dev, &reg->buf->sgt, reg->dir, 0);
		list_del(&reg->eng_node);
		reg->mapped = false;
	}
	mutex_unlock(&eng->lock);
	if (reg->quarantine)
		pr_crit("handle %u: %llu bytes stay pinned: a device did not stop\n",
			reg->handle, reg->buf->pinned_bytes);
	else
		hugesg_buf_unpin(reg->buf);
	hugesg_engine_put(eng);
	kfree(reg);
}

static long hugesg_ioc_info(unsigned int cmd, void __user *uarg)
{
	struct hugesg_info info;
	struct hugesg_engine *eng;
	int ret;

	ret = hugesg_copy_in(&info, sizeof(info), HUGESG_INFO_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	if (info.pad || info.pad2)
		return -EINVAL;
	/* nothing is in: every out-field is ours, whatever the caller left */
	info.abi_version = HUGESG_ABI_VERSION;
	info.engines = 0;
	info.iommu = 0;
	info.max_registrations = HUGESG_MAX_REGISTRATIONS;
	info.nr_devices = 0;
	mutex_lock(&hugesg_engines_lock);
	list_for_each_entry(eng, &hugesg_engines, node) {
		info.engines |= 1U << eng->type;
		if (eng->iommu)
			info.iommu |= 1U << eng->type;
		if (!READ_ONCE(eng->removed))
			info.nr_devices++;
	}
	mutex_unlock(&hugesg_engines_lock);
	return hugesg_copy_out(uarg, &info, sizeof(info));
}

/* DEVICE: the device of the least id at least req.id (the uapi header). */
static long hugesg_ioc_device(unsigned int cmd, void __user *uarg)
{
	struct hugesg_device req;
	struct hugesg_engine *eng;
	struct pci_dev *pdev;
	int ret;

	ret = hugesg_copy_in(&req, sizeof(req), HUGESG_DEVICE_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	if (req.engine || req.state || req.iommu || req.pci_domain ||
	    req.pci_bus || req.pci_slot || req.pci_func || req.pad || req.pad2)
		return -EINVAL;
	ret = -ENOENT;
	mutex_lock(&hugesg_engines_lock);
	list_for_each_entry(eng, &hugesg_engines, node) {
		if (eng->id < req.id || READ_ONCE(eng->removed))
			continue;
		req.id = eng->id;
		req.engine = eng->type;
		req.state = READ_ONCE(eng->wedged) ? HUGESG_DEVICE_WEDGED :
			    HUGESG_DEVICE_READY;
		req.iommu = !eng->iommu ? HUGESG_IOMMU_NONE :
			    eng->iommu_strict ? HUGESG_IOMMU_STRICT :
			    HUGESG_IOMMU_LAZY;
		/* every engine is a PCI function (hugesg_engine_pci_enable()) */
		pdev = to_pci_dev(eng->dev);
		req.pci_domain = pci_domain_nr(pdev->bus);
		req.pci_bus = pdev->bus->number;
		req.pci_slot = PCI_SLOT(pdev->devfn);
		req.pci_func = PCI_FUNC(pdev->devfn);
		ret = 0;
		break;
	}
	mutex_unlock(&hugesg_engines_lock);
	return ret ?: hugesg_copy_out(uarg, &req, sizeof(req));
}

/*
 * Whether @dev reaches every page of @sgt.  Behind a translating IOMMU it
 * does.  Without one its DMA is direct, and the DMA layer bounces what lies
 * beyond the device's mask through swiotlb, whose buffer x86 places below
 * 4 GiB but not below a shorter mask: a device of fewer than 32 address
 * bits (edu: 28) may then reach neither the page nor its bounce slot, and
 * swiotlb_map() WARNs ("swiotlb addr overflow") before it fails.  Such a
 * device must find each page within its mask; bouncing is left to the DMA
 * layer for the others.
 */
static bool hugesg_dev_reaches(struct hugesg_engine *eng, struct sg_table *sgt)
{
	u64 reach = min_not_zero(dma_get_mask(eng->dev), eng->dev->bus_dma_limit);
	struct scatterlist *sg;
	unsigned int i;

	if (eng->iommu || reach >= DMA_BIT_MASK(32))
		return true;
	for_each_sgtable_sg(sgt, sg, i)
		if (sg_phys(sg) + sg->length - 1 > reach)
			return false;
	return true;
}

static long hugesg_ioc_register(struct hugesg_file *f, unsigned int cmd,
				void __user *uarg)
{
	struct hugesg_register req;
	struct hugesg_engine *eng;
	struct hugesg_reg *reg;
	unsigned int max_segment;
	u64 limit;
	u32 handle;
	int ret;

	ret = hugesg_copy_in(&req, sizeof(req), HUGESG_REGISTER_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	if (req.flags & ~HUGESG_FLAGS_MASK || req.pad || req.pad2)
		return -EINVAL;
	/* out-fields must come in zero */
	if (req.handle || req.nr_entries || req.nr_dma_segments ||
	    req.nr_pins || req.pinned_bytes || req.page_sizes)
		return -EINVAL;
	eng = hugesg_engine_get(req.engine, req.device);
	if (IS_ERR(eng))
		return PTR_ERR(eng);
	reg = kzalloc(sizeof(*reg), GFP_KERNEL);
	if (!reg) {
		ret = -ENOMEM;
		goto err_put;
	}
	mutex_lock(&eng->lock);
	limit = eng->removed ? 0 : hugesg_dma_segment_limit(eng->dev);
	mutex_unlock(&eng->lock);
	if (!limit) {
		ret = -ENODEV;
		goto err_free;
	}
	if (req.max_segment > limit) {
		ret = -E2BIG;
		goto err_free;
	}
	/* by default the longest entries that cut no hugepage */
	max_segment = req.max_segment ?: hugesg_max_segment_round(limit);
	reg->buf = hugesg_buf_pin(req.addr, req.len, max_segment, req.flags);
	if (IS_ERR(reg->buf)) {
		ret = PTR_ERR(reg->buf);
		goto err_free;
	}
	reg->eng = eng;
	reg->dir = (req.flags & HUGESG_WRITE) ? eng->write_dir : DMA_TO_DEVICE;

	/*
	 * A wedged device may still write to the bus addresses of the buffers
	 * it had: no new buffer may be given one of them.
	 */
	mutex_lock(&eng->lock);
	ret = eng->removed ? -ENODEV : eng->wedged ? -EIO :
		!hugesg_dev_reaches(eng, &reg->buf->sgt) ? -ERANGE :
		dma_map_sgtable(eng->dev, &reg->buf->sgt, reg->dir, 0);
	/*
	 * dma-direct reports a page it could not map (swiotlb out of
	 * bounce buffers) as -EIO, which means a wedged engine here: it is
	 * the DMA layer's want of resources, like its own -ENOMEM.
	 */
	if (ret == -EIO && !eng->wedged)
		ret = -ENOMEM;
	if (!ret) {
		reg->mapped = true;
		list_add_tail(&reg->eng_node, &eng->regs);
	}
	mutex_unlock(&eng->lock);
	if (ret)
		goto err_unpin;

	mutex_lock(&f->lock);
	ret = xa_alloc(&f->regs, &handle, reg,
		       XA_LIMIT(1, HUGESG_MAX_REGISTRATIONS), GFP_KERNEL);
	if (!ret)
		reg->handle = handle;
	mutex_unlock(&f->lock);
	if (ret) {
		hugesg_reg_free(f, reg);
		return ret == -EBUSY ? -ENOSPC : ret;
	}

	req.handle = reg->handle;
	req.nr_entries = reg->buf->sgt.orig_nents;
	req.nr_dma_segments = reg->buf->sgt.nents;
	req.nr_pins = reg->buf->nr_pins;
	req.pinned_bytes = reg->buf->pinned_bytes;
	req.page_sizes = reg->buf->page_sizes;
	req.device = eng->id;
	return hugesg_copy_out(uarg, &req, sizeof(req));

err_unpin:
	hugesg_buf_unpin(reg->buf);
err_free:
	kfree(reg);
err_put:
	hugesg_engine_put(eng);
	return ret;
}

static long hugesg_ioc_unregister(struct hugesg_file *f, unsigned int cmd,
				  void __user *uarg)
{
	struct hugesg_unregister req;
	struct hugesg_reg *reg;
	int ret;

	ret = hugesg_copy_in(&req, sizeof(req), HUGESG_UNREGISTER_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	mutex_lock(&f->lock);
	reg = xa_load(&f->regs, req.handle);
	if (!reg)
		ret = -ENOENT;
	else if (reg->busy)
		ret = -EBUSY;
	else
		xa_erase(&f->regs, req.handle);
	mutex_unlock(&f->lock);
	if (!ret)
		hugesg_reg_free(f, reg);
	return ret;
}

/* SEGMENTS copies out this many segments at a time (a page's worth). */
#define HUGESG_SEGMENTS_CHUNK	(PAGE_SIZE / sizeof(struct hugesg_segment))

/*
 * The buffer's DMA segments, a chunk at a time: each chunk is read under
 * the engine's lock (the device may be removed, and the buffer unmapped,
 * meanwhile: -ENODEV) and copied out after it, so that a destination that
 * faults for long (userfaultfd, a FUSE-backed mapping) holds up only this
 * file, not every user of the engine.  The table itself cannot go away:
 * unregister and release take the file's lock, held throughout.
 */
static long hugesg_ioc_segments(struct hugesg_file *f, unsigned int cmd,
				void __user *uarg)
{
	struct hugesg_segment *chunk;
	struct hugesg_segments req;
	struct hugesg_segment __user *out;
	struct scatterlist *sg;
	struct hugesg_reg *reg;
	unsigned int i, n, want;
	int ret;

	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	ret = hugesg_copy_in(&req, sizeof(req), HUGESG_SEGMENTS_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	if (req.pad)
		return -EINVAL;
	out = u64_to_user_ptr(req.segs);
	chunk = kmalloc_array(HUGESG_SEGMENTS_CHUNK, sizeof(*chunk),
			      GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	mutex_lock(&f->lock);
	reg = xa_load(&f->regs, req.handle);
	if (!reg) {
		ret = -ENOENT;
		goto out;
	}
	want = min(req.count, reg->buf->sgt.nents);
	sg = reg->buf->sgt.sgl;
	i = 0;
	do {
		mutex_lock(&reg->eng->lock);
		if (!reg->mapped)
			ret = -ENODEV;
		for (n = 0; !ret && n < HUGESG_SEGMENTS_CHUNK && i + n < want;
		     n++, sg = sg_next(sg)) {
			chunk[n].dma_addr = sg_dma_address(sg);
			chunk[n].len = sg_dma_len(sg);
		}
		mutex_unlock(&reg->eng->lock);
		if (!ret && copy_to_user(out + i, chunk, n * sizeof(*chunk)))
			ret = -EFAULT;
		i += n;
	} while (!ret && i < want);
	req.count = reg->buf->sgt.nents;
out:
	mutex_unlock(&f->lock);
	kfree(chunk);
	return ret ?: hugesg_copy_out(uarg, &req, sizeof(req));
}

static long hugesg_ioc_stream_start(struct hugesg_file *f, unsigned int cmd,
				    void __user *uarg)
{
	struct hugesg_stream req;
	struct hugesg_reg *reg;
	int ret;

	ret = hugesg_copy_in(&req, sizeof(req), HUGESG_STREAM_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	mutex_lock(&f->lock);
	reg = xa_load(&f->regs, req.handle);
	if (!reg)
		ret = -ENOENT;
	else if (!reg->eng->ops->stream_start)
		ret = -EINVAL;
	else if (f->stream)
		ret = -EBUSY;
	else
		ret = reg->eng->ops->stream_start(f, reg, &req);
	mutex_unlock(&f->lock);
	return ret;
}

/* STREAM_STOP, RING_WAIT, RING_ACK: the file's stream and its state. */
static long hugesg_ioc_ring(struct hugesg_file *f, unsigned int cmd,
			    void __user *uarg)
{
	const struct hugesg_engine_ops *ops;
	struct hugesg_ring req;
	int ret;

	ret = hugesg_copy_in(&req, sizeof(req), HUGESG_RING_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	/* out-fields must come in zero */
	if (req.write_ptr || req.read_ptr || req.ring_size || req.overruns ||
	    req.checksum || req.mismatches || req.dma_errors || req.state ||
	    req.pad)
		return -EINVAL;
	mutex_lock(&f->lock);
	/* (an engine's ops are static: valid after the unlock) */
	ops = f->stream ? f->stream->ops : NULL;
	if (!ops)
		ret = -EINVAL;
	else if (HUGESG_IOC_BASE(cmd) == HUGESG_IOC_BASE(HUGESG_IOC_RING_WAIT))
		ret = 0;	/* below, unlocked */
	else if (HUGESG_IOC_BASE(cmd) == HUGESG_IOC_BASE(HUGESG_IOC_STREAM_STOP))
		ret = ops->stream_stop(f, &req);
	else
		ret = ops->ring_ack(f, &req);
	mutex_unlock(&f->lock);
	/*
	 * sleeps: the ring is kept alive by f->stream until a stop, and
	 * the engine finds the file's stream again itself
	 */
	if (ops && HUGESG_IOC_BASE(cmd) == HUGESG_IOC_BASE(HUGESG_IOC_RING_WAIT))
		ret = ops->ring_wait(f, &req);
	if (ret && ret != -ETIMEDOUT)
		return ret;
	return hugesg_copy_out(uarg, &req, sizeof(req)) ?: ret;
}

static long hugesg_ioc_transfer(struct hugesg_file *f, unsigned int cmd,
				void __user *uarg)
{
	struct hugesg_transfer req;
	struct hugesg_reg *src, *dst;
	int ret;

	ret = hugesg_copy_in(&req, sizeof(req), HUGESG_TRANSFER_SIZE_VER1, cmd,
			     uarg);
	if (ret)
		return ret;
	if (req.pad)
		return -EINVAL;
	mutex_lock(&f->lock);
	src = xa_load(&f->regs, req.src_handle);
	dst = xa_load(&f->regs, req.dst_handle);
	if (!src || !dst) {
		mutex_unlock(&f->lock);
		return -ENOENT;
	}
	/* the engine named, which maps both, and copies */
	if (src->eng->type != req.engine || !src->eng->ops->transfer) {
		mutex_unlock(&f->lock);
		return -EINVAL;
	}
	src->busy++;
	dst->busy++;
	mutex_unlock(&f->lock);

	ret = src->eng->ops->transfer(src, dst, &req);

	mutex_lock(&f->lock);
	src->busy--;
	dst->busy--;
	mutex_unlock(&f->lock);
	return ret;
}

static long hugesg_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct hugesg_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	/* any size: the argument's size field says which version it is */
	switch (HUGESG_IOC_BASE(cmd)) {
	case HUGESG_IOC_BASE(HUGESG_IOC_INFO):
		return hugesg_ioc_info(cmd, uarg);
	case HUGESG_IOC_BASE(HUGESG_IOC_REGISTER):
		return hugesg_ioc_register(f, cmd, uarg);
	case HUGESG_IOC_BASE(HUGESG_IOC_UNREGISTER):
		return hugesg_ioc_unregister(f, cmd, uarg);
	case HUGESG_IOC_BASE(HUGESG_IOC_SEGMENTS):
		return hugesg_ioc_segments(f, cmd, uarg);
	case HUGESG_IOC_BASE(HUGESG_IOC_STREAM_START):
		return hugesg_ioc_stream_start(f, cmd, uarg);
	case HUGESG_IOC_BASE(HUGESG_IOC_STREAM_STOP):
	case HUGESG_IOC_BASE(HUGESG_IOC_RING_WAIT):
	case HUGESG_IOC_BASE(HUGESG_IOC_RING_ACK):
		return hugesg_ioc_ring(f, cmd, uarg);
	case HUGESG_IOC_BASE(HUGESG_IOC_TRANSFER):
		return hugesg_ioc_transfer(f, cmd, uarg);
	case HUGESG_IOC_BASE(HUGESG_IOC_DEVICE):
		return hugesg_ioc_device(cmd, uarg);
	}
	return -ENOTTY;
}

static __poll_t hugesg_poll(struct file *file, poll_table *wait)
{
	struct hugesg_file *f = file->private_data;
	__poll_t mask = EPOLLHUP;	/* no stream */

	mutex_lock(&f->lock);
	if (f->stream)
		mask = f->stream->ops->poll(f, file, wait);
	mutex_unlock(&f->lock);
	return mask;
}

static int hugesg_open(struct inode *inode, struct file *file)
{
	struct hugesg_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	init_waitqueue_head(&f->wq);
	xa_init_flags(&f->regs, XA_FLAGS_ALLOC1);
	file->private_data = f;
	return 0;
}

/* The last close: stop, then unmap, then unpin (see the top of the file). */
static int hugesg_release(struct inode *inode, struct file *file)
{
	struct hugesg_file *f = file->private_data;
	struct hugesg_ring st = { .size = sizeof(st) };
	struct hugesg_reg *reg;
	unsigned long handle;

	mutex_lock(&f->lock);
	if (f->stream)
		f->stream->ops->stream_stop(f, &st);
	mutex_unlock(&f->lock);
	xa_for_each(&f->regs, handle, reg) {
		xa_erase(&f->regs, handle);
		hugesg_reg_free(f, reg);
	}
	xa_destroy(&f->regs);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations hugesg_fops = {
	.owner = THIS_MODULE,
	.open = hugesg_open,
	.release = hugesg_release,
	.unlocked_ioctl = hugesg_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = hugesg_poll,
};

static struct miscdevice hugesg_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hugesg",
	.fops = &hugesg_fops,
	.mode = 0666,
};

/* every engine of Kbuild's list (hugesg_drv.h) */
#define HUGESG_ENGINE_DRIVER_PTR(name) (&hugesg_##name##_driver)
static struct pci_driver *const hugesg_engine_drivers[] = {
	HUGESG_ENGINES(HUGESG_ENGINE_DRIVER_PTR)
};

static void hugesg_engine_drivers_unregister(unsigned int n)
{
	while (n--)
		pci_unregister_driver(hugesg_engine_drivers[n]);
}

static int __init hugesg_drv_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(hugesg_engine_drivers); i++) {
		ret = pci_register_driver(hugesg_engine_drivers[i]);
		if (ret)
			goto err;
	}
	ret = misc_register(&hugesg_misc);
	if (!ret)
		return 0;
err:
	hugesg_engine_drivers_unregister(i);
	return ret;
}

/*
 * No file can be open here (the misc device holds the module), so every
 * buffer is gone already; the PCI removes stop whatever remains.
 */
static void __exit hugesg_drv_exit(void)
{
	misc_deregister(&hugesg_misc);
	hugesg_engine_drivers_unregister(ARRAY_SIZE(hugesg_engine_drivers));
}

module_init(hugesg_drv_init);
module_exit(hugesg_drv_exit);

MODULE_DESCRIPTION("hugesg reference driver: hugepage buffers for SG-DMA engines");
MODULE_LICENSE("GPL");
MODULE_VERSION(HUGESG_VERSION);

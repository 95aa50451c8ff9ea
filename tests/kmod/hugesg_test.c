// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_test: test-only driver of the hugesg in-kernel API.
 *
 * /dev/hugesg_test lets a test process call each function of hugesg.ko on
 * its own memory, hold the result, and read back the physical layout; an
 * oracle ioctl builds the reference table the old way (a pin per 4 KiB page
 * and sg_alloc_table_from_pages_segment()).  The provoke_* parameters
 * misbehave on purpose, for the rig's own negative checks: provoke_warn
 * raises a kernel WARN (every lane), provoke_uaf reads freed memory,
 * provoke_leak leaks four allocations, provoke_lockdep inverts a lock order
 * and provoke_dma_debug unmaps a DMA mapping with the wrong size (the debug
 * lane only, where KASAN, kmemleak, lockdep and DMA-API debugging must
 * report them).  delay_dev_read_ms widens a race of the driver suites on
 * purpose.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hugesg.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/kmemleak.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hugesg_test.h"
#include "../../kernel/compat.h"

struct hugesg_test_file {
	struct mutex lock;
	struct page *pfnmap_page;	/* what mmap() maps, VM_IO */
	struct page **hpages;
	unsigned long nr_hpages;
	struct sg_table sgt;
	bool sgt_held;
	bool sgt_dirty;
	struct hugesg_buf *buf;
};

static int provoke_warn_set(const char *val, const struct kernel_param *kp)
{
	WARN(1, "hugesg_test: WARN provoked on purpose (%s)", val);
	return 0;
}

static const struct kernel_param_ops provoke_warn_ops = {
	.set = provoke_warn_set,
};
module_param_cb(provoke_warn, &provoke_warn_ops, NULL, 0200);
MODULE_PARM_DESC(provoke_warn, "write anything: raise a kernel WARN (rig self-test)");

static int provoke_uaf_set(const char *val, const struct kernel_param *kp)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("use after free provoked on purpose: %d\n", READ_ONCE(p[8]));
	return 0;
}

static const struct kernel_param_ops provoke_uaf_ops = {
	.set = provoke_uaf_set,
};
module_param_cb(provoke_uaf, &provoke_uaf_ops, NULL, 0200);
MODULE_PARM_DESC(provoke_uaf, "write anything: read freed memory (KASAN self-test)");

static int provoke_leak_set(const char *val, const struct kernel_param *kp)
{
	int i;

	for (i = 0; i < 4; i++) {
		void *p = kmalloc(256, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		memset(p, 0x5a, 256);
		OPTIMIZER_HIDE_VAR(p);
	}
	pr_info("4 allocations leaked on purpose\n");
	return 0;
}

static const struct kernel_param_ops provoke_leak_ops = {
	.set = provoke_leak_set,
};
module_param_cb(provoke_leak, &provoke_leak_ops, NULL, 0200);
MODULE_PARM_DESC(provoke_leak, "write anything: leak memory (kmemleak self-test)");

/*
 * Two locks taken in both orders by the same thread: no deadlock happens,
 * but lockdep must report the possible circular dependency.
 */
static DEFINE_MUTEX(provoke_lock_a);
static DEFINE_MUTEX(provoke_lock_b);

static int provoke_lockdep_set(const char *val, const struct kernel_param *kp)
{
	mutex_lock(&provoke_lock_a);
	mutex_lock(&provoke_lock_b);
	mutex_unlock(&provoke_lock_b);
	mutex_unlock(&provoke_lock_a);
	mutex_lock(&provoke_lock_b);
	mutex_lock(&provoke_lock_a);
	mutex_unlock(&provoke_lock_a);
	mutex_unlock(&provoke_lock_b);
	pr_info("lock order inverted on purpose\n");
	return 0;
}

static const struct kernel_param_ops provoke_lockdep_ops = {
	.set = provoke_lockdep_set,
};
module_param_cb(provoke_lockdep, &provoke_lockdep_ops, NULL, 0200);
MODULE_PARM_DESC(provoke_lockdep, "write anything: invert a lock order (lockdep self-test)");

/*
 * A streaming mapping unmapped with the wrong size, on a device of the test
 * driver's own: DMA-API debugging must report it.
 */
static int provoke_dma_debug_set(const char *val,
				 const struct kernel_param *kp)
{
	struct platform_device *pdev;
	dma_addr_t addr;
	void *buf;
	int ret = -ENOMEM;

	pdev = platform_device_register_simple("hugesg_test_dma", -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	buf = kmalloc(256, GFP_KERNEL);
	if (!buf)
		goto out;
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto out_free;
	addr = dma_map_single(&pdev->dev, buf, 256, DMA_TO_DEVICE);
	ret = dma_mapping_error(&pdev->dev, addr);
	if (ret)
		goto out_free;
	dma_unmap_single(&pdev->dev, addr, 128, DMA_TO_DEVICE);
	pr_info("DMA mapping unmapped with the wrong size on purpose\n");
out_free:
	kfree(buf);
out:
	platform_device_unregister(pdev);
	return ret;
}

static const struct kernel_param_ops provoke_dma_debug_ops = {
	.set = provoke_dma_debug_set,
};
module_param_cb(provoke_dma_debug, &provoke_dma_debug_ops, NULL, 0200);
MODULE_PARM_DESC(provoke_dma_debug, "write anything: unmap a DMA mapping with the wrong size (DMA-API debugging self-test)");

/*
 * The gigantic (1 GiB) hugepage reserved on the kernel command line comes
 * from memblock, which registers it with kmemleak as an object to scan:
 * each scan would read that whole gigabyte of user data, minutes under
 * emulation, for no benefit (user data holds no kernel pointers that
 * matter).  The debug lane tells kmemleak to leave it out.
 */
static int kmemleak_ignore_phys_set(const char *val,
				    const struct kernel_param *kp)
{
	u64 phys;
	int ret = kstrtou64(val, 0, &phys);

	if (ret)
		return ret;
	kmemleak_ignore_phys(phys);
	return 0;
}

static const struct kernel_param_ops kmemleak_ignore_phys_ops = {
	.set = kmemleak_ignore_phys_set,
};
module_param_cb(kmemleak_ignore_phys, &kmemleak_ignore_phys_ops, NULL, 0200);
MODULE_PARM_DESC(kmemleak_ignore_phys, "physical address: kmemleak neither scans nor reports the object there");

/*
 * Which path pinned: hugesg.ko pins shared hugetlb mappings through their
 * file with memfd_pin_folios() where compat.h chooses it (HUGESG_FILE_PIN),
 * through GUP elsewhere.  A return probe on memfd_pin_folios() counts the
 * folios it pinned (nothing else calls it while the suites run), so that a
 * test checks the path taken by its effect, not by the kernel's version.
 * The probe is set by the first HUGESG_TEST_FILE_PINS, not at load: the
 * benchmark's guest loads this module too, and a probe would add its trap
 * to every call it times.
 */
static atomic64_t file_pin_folios = ATOMIC64_INIT(0);
static DEFINE_MUTEX(file_pin_probe_lock);
static bool file_pin_probe_set;
static int file_pin_probe_err = -ENOENT;

static int hugesg_test_file_pin_ret(struct kretprobe_instance *ri,
				    struct pt_regs *regs)
{
	long n = regs_return_value(regs);

	if (n > 0)
		atomic64_add(n, &file_pin_folios);
	return 0;
}

static struct kretprobe file_pin_probe = {
	.kp.symbol_name = "memfd_pin_folios",
	.handler = hugesg_test_file_pin_ret,
};

/*
 * HUGESG_TEST_FILE_PINS: @nents the folios pinned through files so far,
 * @flags 1 where hugesg.ko is built to pin through files (not where the
 * kernel's own sg_alloc_table_from_user_pages() pins).  Where it is,
 * and the probe could not be set, the ioctl fails with the probe's error.
 */
static long hugesg_test_file_pins(struct hugesg_test_req *req)
{
	bool chosen = HUGESG_FILE_PIN && !HUGESG_KERNEL_PIN;

	mutex_lock(&file_pin_probe_lock);
	if (!file_pin_probe_set) {
		file_pin_probe_err = register_kretprobe(&file_pin_probe);
		file_pin_probe_set = true;
		if (file_pin_probe_err && chosen)
			pr_warn("no probe on memfd_pin_folios: %d\n",
				file_pin_probe_err);
	}
	mutex_unlock(&file_pin_probe_lock);
	req->flags = chosen;
	req->nents = atomic64_read(&file_pin_folios);
	return chosen ? file_pin_probe_err : 0;
}

/*
 * Widen the window between a driver taking an engine and reading its
 * device: writing N (ms) to delay_dev_read_ms arms one delay, taken by the
 * next call of dma_max_mapping_size() from a task named
 * HUGESG_TEST_DELAY_COMM.  hugesg_drv's register reads the device's limits
 * through it (hugesg_dma_segment_limit()), so that register sleeps N ms
 * right before it reads the device, long enough for a PCI remove to run to
 * its end (drv_lifetime: a device removed under its registrations).  A
 * probe on the function's entry sends the call, once, to a function of
 * ours that sleeps and then makes the call itself, as the error injection
 * of BPF sends a call elsewhere.  0 disarms it.
 *
 * The delayed call holds a reference on the device while it sleeps, and
 * counts in delay_dead_reads a device deleted meanwhile (device_del() has
 * run: the remove went to its end) or whose every other reference went:
 * its caller was about to read a device that is gone, which nothing but
 * our reference may keep from being freed (KASAN reports such a read on
 * the debug kernel when it is freed; this finds it on every kernel with
 * kprobes, and the read stays safe).  delay_last_refs tells the
 * references the last delayed call found, its own included.
 */
static unsigned int delay_dev_read_ms;
static unsigned int delay_dead_reads;
module_param(delay_dead_reads, uint, 0400);
MODULE_PARM_DESC(delay_dead_reads, "delayed reads of a device deleted meanwhile, or held by the delay alone");
static unsigned int delay_last_refs;
module_param(delay_last_refs, uint, 0400);
MODULE_PARM_DESC(delay_last_refs, "references on the device the last delayed read found, its own included");
static atomic_t delay_armed = ATOMIC_INIT(0);
static DEFINE_MUTEX(delay_probe_lock);
static bool delay_probe_set;

static size_t hugesg_test_delayed_max_mapping_size(struct device *dev)
{
	size_t size;

	get_device(dev);
	msleep(READ_ONCE(delay_dev_read_ms));
	WRITE_ONCE(delay_last_refs, kref_read(&dev->kobj.kref));
	if (!device_is_registered(dev) || delay_last_refs == 1) {
		WRITE_ONCE(delay_dead_reads, delay_dead_reads + 1);
		pr_info("%s: read after it was removed\n", dev_name(dev));
	}
	size = dma_max_mapping_size(dev);
	put_device(dev);
	return size;
}

static int hugesg_test_delay_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (strcmp(current->comm, HUGESG_TEST_DELAY_COMM) ||
	    !atomic_xchg(&delay_armed, 0))
		return 0;
	instruction_pointer_set(regs,
				(unsigned long)hugesg_test_delayed_max_mapping_size);
	return 1;	/* regs->ip changed: no single step */
}

static struct kprobe delay_probe = {
	.symbol_name = "dma_max_mapping_size",
	.pre_handler = hugesg_test_delay_pre,
};

static int delay_dev_read_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret = kstrtouint(val, 0, &ms);

	if (ret)
		return ret;
	mutex_lock(&delay_probe_lock);
	if (ms && !delay_probe_set) {
		ret = register_kprobe(&delay_probe);
		delay_probe_set = !ret;
	}
	if (!ret) {
		WRITE_ONCE(delay_dev_read_ms, ms);
		atomic_set(&delay_armed, !!ms);
	}
	mutex_unlock(&delay_probe_lock);
	return ret;
}

/* Reads the delay still armed: 0 once a call has taken it. */
static int delay_dev_read_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", atomic_read(&delay_armed) ?
			  READ_ONCE(delay_dev_read_ms) : 0);
}

static const struct kernel_param_ops delay_dev_read_ops = {
	.set = delay_dev_read_set,
	.get = delay_dev_read_get,
};
module_param_cb(delay_dev_read_ms, &delay_dev_read_ops, NULL, 0600);
MODULE_PARM_DESC(delay_dev_read_ms, "ms: the next dma_max_mapping_size() of a task named " HUGESG_TEST_DELAY_COMM " sleeps that long first (race widening)");

/* Report a table as (physical address, length) pairs, a batch at a time. */
static int hugesg_test_put_table(struct sg_table *sgt,
				 struct hugesg_test_req *req)
{
	struct hugesg_test_entry __user *out = u64_to_user_ptr(req->entries);
	struct hugesg_test_entry batch[32];
	struct scatterlist *sg;
	unsigned int i, n = 0;

	req->nents = sgt->orig_nents;
	for_each_sgtable_sg(sgt, sg, i) {
		if (i >= req->max_entries)
			break;
		batch[n].phys = sg_phys(sg);
		batch[n].len = sg->length;
		if (++n == ARRAY_SIZE(batch) || i + 1 == req->max_entries ||
		    i + 1 == sgt->orig_nents) {
			if (copy_to_user(out + i + 1 - n, batch, n * sizeof(*batch)))
				return -EFAULT;
			n = 0;
		}
	}
	return 0;
}

static long hugesg_test_get_hugepages(struct hugesg_test_file *f,
				      struct hugesg_test_req *req)
{
	struct hugesg_test_entry __user *out = u64_to_user_ptr(req->entries);
	struct hugesg_test_entry e;
	long i, n;

	if (f->hpages)
		return -EBUSY;
	if (req->max_entries > (1UL << 20))
		return -E2BIG;
	f->hpages = kvcalloc(max_t(u64, req->max_entries, 1),
			     sizeof(*f->hpages), GFP_KERNEL);
	if (!f->hpages)
		return -ENOMEM;
	n = hugesg_get_user_hugepages_fast(req->start, req->len, req->flags,
					   f->hpages, req->max_entries);
	if (n < 0) {
		kvfree(f->hpages);
		f->hpages = NULL;
		return n;
	}
	f->nr_hpages = n;
	req->nents = n;
	for (i = 0; i < n; i++) {
		e.phys = page_to_phys(f->hpages[i]);
		e.len = page_size(f->hpages[i]);
		if (copy_to_user(out + i, &e, sizeof(e)))
			return -EFAULT;
	}
	return 0;
}

static void hugesg_test_put_hugepages(struct hugesg_test_file *f, bool dirty)
{
	if (!f->hpages)
		return;
	hugesg_put_user_hugepages(f->hpages, f->nr_hpages, dirty);
	kvfree(f->hpages);
	f->hpages = NULL;
}

/*
 * Never called: that a driver written to the proposal's names builds,
 * with hugesg's flags, whether linux/hugesg.h defines them or the kernel
 * does (its SG_USER_PAGES_* are hugesg's values, compat.h).
 */
static int __maybe_unused hugesg_test_proposal_names(struct sg_table *sgt,
						     unsigned long start,
						     unsigned long len)
{
	int ret = sg_alloc_table_from_user_pages(sgt, start, len, PMD_SIZE,
						 HUGESG_AUTO | HUGESG_WRITE,
						 GFP_KERNEL);

	if (!ret)
		sg_free_table_user_pages(sgt, true);
	return ret;
}

static long hugesg_test_sg_alloc(struct hugesg_test_file *f,
				 struct hugesg_test_req *req)
{
	int ret;

	if (f->sgt_held)
		return -EBUSY;
	ret = hugesg_sg_alloc_table_from_user_pages(&f->sgt, req->start,
						    req->len, req->max_segment,
						    req->flags, GFP_KERNEL);
	if (ret)
		return ret;
	f->sgt_held = true;
	return hugesg_test_put_table(&f->sgt, req);
}

static void hugesg_test_sg_free(struct hugesg_test_file *f, bool dirty)
{
	if (!f->sgt_held)
		return;
	hugesg_sg_free_table_user_pages(&f->sgt, dirty);
	f->sgt_held = false;
}

static long hugesg_test_buf_pin(struct hugesg_test_file *f,
				struct hugesg_test_req *req)
{
	struct hugesg_buf *buf;

	if (f->buf)
		return -EBUSY;
	buf = hugesg_buf_pin(req->start, req->len, req->max_segment,
			     req->flags);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	f->buf = buf;
	req->pinned_bytes = buf->pinned_bytes;
	req->nr_pins = buf->nr_pins;
	req->page_sizes = buf->page_sizes;
	return hugesg_test_put_table(&buf->sgt, req);
}

static long hugesg_test_oracle(struct hugesg_test_req *req)
{
	unsigned long first = req->start & PAGE_MASK;
	unsigned long n_pages, done = 0;
	unsigned int gup_flags = FOLL_LONGTERM;
	struct sg_table sgt;
	struct page **pages;
	long ret;

	if (!req->len || req->start + req->len < req->start)
		return -EINVAL;
	n_pages = (PAGE_ALIGN(req->start + req->len) - first) >> PAGE_SHIFT;
	if (n_pages > UINT_MAX)
		return -E2BIG;
	if (req->flags & HUGESG_WRITE)
		gup_flags |= FOLL_WRITE;
	pages = kvmalloc_array(n_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	while (done < n_pages) {
		ret = pin_user_pages_fast(first + (done << PAGE_SHIFT),
					  min(n_pages - done, 65536UL),
					  gup_flags, pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto unpin;
		}
		done += ret;
	}
	ret = hugesg_sg_table_from_pages(&sgt, pages, n_pages,
					 offset_in_page(req->start), req->len,
					 req->max_segment, GFP_KERNEL);
	if (ret)
		goto unpin;
	ret = hugesg_test_put_table(&sgt, req);
	sg_free_table(&sgt);
unpin:
	unpin_user_pages(pages, done);
	kvfree(pages);
	return ret;
}

/* Pins held: what /proc/vmstat shows after vm.stat_refresh folded it. */
static long hugesg_test_pins_held(void)
{
	long n = 0;
	int nid, cpu;

	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		n += atomic_long_read(&pgdat->vm_stat[NR_FOLL_PIN_ACQUIRED]) -
		     atomic_long_read(&pgdat->vm_stat[NR_FOLL_PIN_RELEASED]);
		for_each_possible_cpu(cpu) {
			struct per_cpu_nodestat *pcp =
				per_cpu_ptr(pgdat->per_cpu_nodestats, cpu);

			n += READ_ONCE(pcp->vm_node_stat_diff[NR_FOLL_PIN_ACQUIRED]) -
			     READ_ONCE(pcp->vm_node_stat_diff[NR_FOLL_PIN_RELEASED]);
		}
	}
	return n;
}

static long hugesg_test_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct hugesg_test_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct hugesg_test_req req;
	long ret;

	if (_IOC_TYPE(cmd) != HUGESG_TEST_MAGIC ||
	    _IOC_SIZE(cmd) != sizeof(req))
		return -ENOTTY;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	req.nents = 0;

	mutex_lock(&f->lock);
	switch (cmd) {
	case HUGESG_TEST_GET_HUGEPAGES:
		ret = hugesg_test_get_hugepages(f, &req);
		break;
	case HUGESG_TEST_PUT_HUGEPAGES:
		hugesg_test_put_hugepages(f, req.dirty);
		ret = 0;
		break;
	case HUGESG_TEST_SG_ALLOC:
		ret = hugesg_test_sg_alloc(f, &req);
		break;
	case HUGESG_TEST_SG_FREE:
		hugesg_test_sg_free(f, req.dirty);
		ret = 0;
		break;
	case HUGESG_TEST_BUF_PIN:
		ret = hugesg_test_buf_pin(f, &req);
		break;
	case HUGESG_TEST_BUF_UNPIN:
		hugesg_buf_unpin(f->buf);
		f->buf = NULL;
		ret = 0;
		break;
	case HUGESG_TEST_ORACLE:
		ret = hugesg_test_oracle(&req);
		break;
	case HUGESG_TEST_PINS_HELD:
		req.nents = hugesg_test_pins_held();
		ret = 0;
		break;
	case HUGESG_TEST_FILE_PINS:
		ret = hugesg_test_file_pins(&req);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&f->lock);
	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
	return ret;
}

/*
 * mmap(): one page of memory that pinning must refuse.  At offset 0 mapped
 * with remap_pfn_range(), which makes the mapping VM_IO | VM_PFNMAP; at
 * offset 1 (page) mapped with vm_insert_page() into a VM_IO mapping, whose
 * pte then is an ordinary page that GUP-fast would pin.
 */
static int hugesg_test_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hugesg_test_file *f = file->private_data;

	if (vma->vm_end - vma->vm_start != PAGE_SIZE || vma->vm_pgoff > 1)
		return -EINVAL;
	/* no f->lock here: mmap_lock is held, the ioctls take it under f->lock */
	if (vma->vm_pgoff == 1) {
		hugesg_vm_flags_set(vma, VM_IO);
		return vm_insert_page(vma, vma->vm_start, f->pfnmap_page);
	}
	return remap_pfn_range(vma, vma->vm_start, page_to_pfn(f->pfnmap_page),
			       PAGE_SIZE, vma->vm_page_prot);
}

static int hugesg_test_open(struct inode *inode, struct file *file)
{
	struct hugesg_test_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->pfnmap_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!f->pfnmap_page) {
		kfree(f);
		return -ENOMEM;
	}
	mutex_init(&f->lock);
	file->private_data = f;
	return 0;
}

static int hugesg_test_release(struct inode *inode, struct file *file)
{
	struct hugesg_test_file *f = file->private_data;

	hugesg_test_put_hugepages(f, false);
	hugesg_test_sg_free(f, false);
	hugesg_buf_unpin(f->buf);
	if (f->pfnmap_page)
		__free_page(f->pfnmap_page);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

static const struct file_operations hugesg_test_fops = {
	.owner = THIS_MODULE,
	.open = hugesg_test_open,
	.release = hugesg_test_release,
	.unlocked_ioctl = hugesg_test_ioctl,
	.mmap = hugesg_test_mmap,
};

static struct miscdevice hugesg_test_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hugesg_test",
	.fops = &hugesg_test_fops,
	.mode = 0600,
};

static int __init hugesg_test_init(void)
{
	return misc_register(&hugesg_test_dev);
}
module_init(hugesg_test_init);

static void __exit hugesg_test_exit(void)
{
	misc_deregister(&hugesg_test_dev);
	if (file_pin_probe_set && !file_pin_probe_err)
		unregister_kretprobe(&file_pin_probe);
	if (delay_probe_set)
		unregister_kprobe(&delay_probe);
}
module_exit(hugesg_test_exit);

MODULE_DESCRIPTION("hugesg test-only driver: never load outside the test guest");
MODULE_LICENSE("GPL");

# SPDX-License-Identifier: GPL-2.0
# Feature probes of the kernel tree being built against, for compat.h:
# HUGESG_HAVE_<X> is defined when the kernel's headers declare <x>.
# Included by every Kbuild file of the project.

hugesg_probe = $(shell grep -qsw -e '$(1)' $(addprefix $(srctree)/include/linux/,$(2)) && \
	echo -DHUGESG_HAVE_$(3))

ccflags-y += $(call hugesg_probe,folio_size,mm.h,FOLIO_SIZE)
ccflags-y += $(call hugesg_probe,page_folio,page-flags.h,PAGE_FOLIO)
ccflags-y += $(call hugesg_probe,folio_test_hugetlb,page-flags.h,FOLIO_TEST_HUGETLB)
ccflags-y += $(call hugesg_probe,unpin_user_page_range_dirty_lock,mm.h,UNPIN_RANGE)
ccflags-y += $(call hugesg_probe,sg_alloc_table_from_pages_segment,scatterlist.h,SG_SEGMENT)

# Up to 5.12 an IOMMU domain can be asked whether it invalidates lazily.
ccflags-y += $(call hugesg_probe,DOMAIN_ATTR_DMA_USE_FLUSH_QUEUE,iommu.h,DOMAIN_ATTR_FQ)

# The proposal's names, should the kernel ever provide them (linux/hugesg.h).
ccflags-y += $(call hugesg_probe,get_user_hugepages_fast,mm.h,KERNEL_GET_USER_HUGEPAGES_FAST)
ccflags-y += $(call hugesg_probe,sg_alloc_table_from_user_pages,scatterlist.h,KERNEL_SG_ALLOC_TABLE_FROM_USER_PAGES)
ccflags-y += $(call hugesg_probe,sg_free_table_user_pages,scatterlist.h,KERNEL_SG_FREE_TABLE_USER_PAGES)
# ... and the GUP function beneath them, one pin per run of a folio.
ccflags-y += $(call hugesg_probe,pin_user_folio_ranges_fast,mm.h,FOLIO_RANGES)

# vma->vm_flags is written through vm_flags_set() since 6.3.
ccflags-y += $(call hugesg_probe,vm_flags_set,mm.h,VM_FLAGS_SET)

# dma_set_max_seg_size() returns void since 6.11 (it cannot fail any more).
ccflags-y += $(call hugesg_probe,void dma_set_max_seg_size,dma-mapping.h,VOID_SET_MAX_SEG_SIZE)

# memfd_pin_folios() and unpin_folios() came in 6.11 (hugesg's shared
# hugetlb path, hugesg_bench), the append table in 5.15.  The reservation
# that makes memfd_pin_folios() correct on a hugetlb hole came in 6.16 with
# hugetlb_reserve_pages() returning a count (see compat.h).
ccflags-y += $(call hugesg_probe,memfd_pin_folios,mm.h memfd.h,MEMFD_PIN_FOLIOS)
ccflags-y += $(call hugesg_probe,unpin_folios,mm.h,UNPIN_FOLIOS)
ccflags-y += $(call hugesg_probe,long hugetlb_reserve_pages,hugetlb.h,COUNTED_HUGETLB_RESERVE)
ccflags-y += $(call hugesg_probe,sg_alloc_append_table_from_pages,scatterlist.h,SG_APPEND)

# KUnit (tests/kmod/hugesg_kunit.c): the export helper of 6.2, the string
# namespaces of 6.13, the pin count of a hugepage before folios held it.
ccflags-y += $(shell test -e $(srctree)/include/kunit/visibility.h && \
	echo -DHUGESG_HAVE_KUNIT_VISIBILITY)
hugesg_comma := ,
ccflags-y += $(call hugesg_probe,MODULE_INFO(import_ns$(hugesg_comma) ns),module.h,STRING_NS)
ccflags-y += $(call hugesg_probe,head_compound_pincount,mm.h,HEAD_COMPOUND_PINCOUNT)

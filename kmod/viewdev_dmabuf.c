// SPDX-License-Identifier: GPL-2.0
/*
 * viewdev_dmabuf.c — a buffer's pages as a dma-buf (VIEWDEV_IOC_EXPORT),
 * for drivers that import dma-bufs (DRM PRIME, V4L2, ...) without a copy.
 *
 * The export pins every page of the store up to the size (rounded up to
 * whole pages) by a page reference, for the dma-buf's life: the buffer
 * is shrink-sealed (the caller checks), so none of them can leave the
 * store, and the references keep them from being reclaimed or migrated.
 * Importers get an sg_table of those pages mapped for their device;
 * begin/end_cpu_access (DMA_BUF_IOCTL_SYNC) sync every such mapping for
 * the CPU and back.  mmap() of the dma-buf inserts the pages' frames
 * (VM_PFNMAP: the VMA holds the dma-buf, which holds the pages, so no
 * page is ever mapped without its pin).  A read-only dma-buf maps for
 * devices as DMA_TO_DEVICE only and its file is O_RDONLY, so neither a
 * device nor mmap() can write through it.
 *
 * This file knows nothing of struct viewdev_buf: the caller hands over
 * a reference (done(owner) releases it), which keeps the buffer, its
 * store and its byte count alive; the dma-buf core holds the module.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>

#include "viewdev.h"
#include "viewdev_compat.h"

VIEWDEV_IMPORT_NS_DMA_BUF();

struct viewdev_dmabuf {
	struct page **pages;		/* each holds a reference */
	unsigned int npages;
	bool rdwr;
	struct mutex lock;		/* maps */
	struct list_head maps;		/* struct viewdev_dmabuf_map */
	void (*done)(void *owner);
	void *owner;
};

/* One importer's mapping of the pages for its device. */
struct viewdev_dmabuf_map {
	struct list_head node;
	struct device *dev;
	enum dma_data_direction dir;
	struct sg_table sgt;
};

static struct sg_table *viewdev_dmabuf_map(struct dma_buf_attachment *at,
					   enum dma_data_direction dir)
{
	struct viewdev_dmabuf *vb = at->dmabuf->priv;
	struct viewdev_dmabuf_map *m;
	int ret;

	/* a read-only dma-buf: the device may read, never write */
	if (!vb->rdwr && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EPERM);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(&m->sgt, vb->pages, vb->npages, 0,
					(unsigned long)vb->npages << PAGE_SHIFT,
					GFP_KERNEL);
	if (ret)
		goto err_free;
	ret = dma_map_sgtable(at->dev, &m->sgt, dir, 0);
	if (ret)
		goto err_table;
	m->dev = at->dev;
	m->dir = dir;
	mutex_lock(&vb->lock);
	list_add(&m->node, &vb->maps);
	mutex_unlock(&vb->lock);
	return &m->sgt;

err_table:
	sg_free_table(&m->sgt);
err_free:
	kfree(m);
	return ERR_PTR(ret);
}

static void viewdev_dmabuf_unmap(struct dma_buf_attachment *at,
				 struct sg_table *sgt,
				 enum dma_data_direction dir)
{
	struct viewdev_dmabuf *vb = at->dmabuf->priv;
	struct viewdev_dmabuf_map *m = container_of(sgt, struct viewdev_dmabuf_map, sgt);

	mutex_lock(&vb->lock);
	list_del(&m->node);
	mutex_unlock(&vb->lock);
	dma_unmap_sgtable(m->dev, &m->sgt, m->dir, 0);
	sg_free_table(&m->sgt);
	kfree(m);
}

/* DMA_BUF_IOCTL_SYNC START: what devices wrote becomes visible to the CPU. */
static int viewdev_dmabuf_begin_cpu(struct dma_buf *dmabuf,
				    enum dma_data_direction dir)
{
	struct viewdev_dmabuf *vb = dmabuf->priv;
	struct viewdev_dmabuf_map *m;

	mutex_lock(&vb->lock);
	list_for_each_entry(m, &vb->maps, node)
		dma_sync_sgtable_for_cpu(m->dev, &m->sgt, m->dir);
	mutex_unlock(&vb->lock);
	return 0;
}

/* DMA_BUF_IOCTL_SYNC END: what the CPU wrote becomes visible to devices. */
static int viewdev_dmabuf_end_cpu(struct dma_buf *dmabuf,
				  enum dma_data_direction dir)
{
	struct viewdev_dmabuf *vb = dmabuf->priv;
	struct viewdev_dmabuf_map *m;

	mutex_lock(&vb->lock);
	list_for_each_entry(m, &vb->maps, node)
		dma_sync_sgtable_for_device(m->dev, &m->sgt, m->dir);
	mutex_unlock(&vb->lock);
	return 0;
}

static vm_fault_t viewdev_dmabuf_fault(struct vm_fault *vmf)
{
	struct viewdev_dmabuf *vb = vmf->vma->vm_private_data;

	if (vmf->pgoff >= vb->npages)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      page_to_pfn(vb->pages[vmf->pgoff]));
}

static const struct vm_operations_struct viewdev_dmabuf_vm_ops = {
	.fault = viewdev_dmabuf_fault,
};

/*
 * The dma-buf core has checked the range against the size and, through
 * the file's mode, PROT_WRITE against a read-only dma-buf.  Shared
 * mappings only: a private one of raw frames would be copy-on-write,
 * which VM_PFNMAP cannot do.
 */
static int viewdev_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	viewdev_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &viewdev_dmabuf_vm_ops;
	vma->vm_private_data = dmabuf->priv;
	return 0;
}

/* Unpin pages[0..n); those a read-write dma-buf has are dirty now. */
static void viewdev_dmabuf_unpin(struct viewdev_dmabuf *vb, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		/* PFN mappings and DMA write without telling the page */
		if (vb->rdwr)
			set_page_dirty_lock(vb->pages[i]);
		put_page(vb->pages[i]);
		cond_resched();
	}
	kvfree(vb->pages);
}

/* The last file and mapping of the dma-buf are gone; nobody imports it. */
static void viewdev_dmabuf_release(struct dma_buf *dmabuf)
{
	struct viewdev_dmabuf *vb = dmabuf->priv;

	WARN_ON_ONCE(!list_empty(&vb->maps));
	viewdev_dmabuf_unpin(vb, vb->npages);
	vb->done(vb->owner);
	mutex_destroy(&vb->lock);
	kfree(vb);
}

static const struct dma_buf_ops viewdev_dmabuf_ops = {
	.map_dma_buf = viewdev_dmabuf_map,
	.unmap_dma_buf = viewdev_dmabuf_unmap,
	.release = viewdev_dmabuf_release,
	.begin_cpu_access = viewdev_dmabuf_begin_cpu,
	.end_cpu_access = viewdev_dmabuf_end_cpu,
	.mmap = viewdev_dmabuf_mmap,
};

struct dma_buf *viewdev_dmabuf_export(struct file *store, u64 size, bool rdwr,
				      void (*done)(void *owner), void *owner)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	struct viewdev_dmabuf *vb;
	struct dma_buf *dmabuf;
	u64 npages = DIV_ROUND_UP_ULL(size, PAGE_SIZE);
	unsigned int i = 0;
	int ret = -ENOMEM;

	/* sg_alloc_table_from_pages() counts pages in an unsigned int */
	if (!npages || npages > UINT_MAX) {
		ret = npages ? -ENOMEM : -EINVAL;
		goto err;
	}
	vb = kzalloc(sizeof(*vb), GFP_KERNEL);
	if (!vb)
		goto err;
	vb->npages = npages;
	vb->rdwr = rdwr;
	mutex_init(&vb->lock);
	INIT_LIST_HEAD(&vb->maps);
	vb->done = done;
	vb->owner = owner;
	vb->pages = kvmalloc_array(npages, sizeof(*vb->pages), GFP_KERNEL);
	if (!vb->pages)
		goto err_free;
	for (i = 0; i < npages; i++) {
		struct page *page = shmem_read_mapping_page(store->f_mapping, i);

		if (IS_ERR(page)) {
			ret = PTR_ERR(page);
			goto err_unpin;
		}
		vb->pages[i] = page;
		cond_resched();
	}

	info.ops = &viewdev_dmabuf_ops;
	info.size = (size_t)npages << PAGE_SHIFT;
	info.flags = rdwr ? O_RDWR : O_RDONLY;
	info.priv = vb;
	dmabuf = dma_buf_export(&info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_unpin;
	}
	return dmabuf;		/* its release calls done(owner) */

err_unpin:
	viewdev_dmabuf_unpin(vb, i);
err_free:
	mutex_destroy(&vb->lock);
	kfree(vb);
err:
	done(owner);
	return ERR_PTR(ret);
}

/* The installed UAPI header builds on its own in a user program. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <linux/viewdev.h>

int main(void)
{
	printf("%s %d %zu %lu\n", VIEWDEV_CTL_PATH, VIEWDEV_VERSION,
	       sizeof(struct viewdev_create), (unsigned long)VIEWDEV_IOC_CREATE);
	return 0;
}

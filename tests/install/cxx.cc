// view.h is usable from C++ (extern "C"): this links against libview.
#include <view.h>

int main()
{
	struct vw_format f;

	return vw_format_parse("<d", &f, nullptr) == 0 && f.itemsize == 8 ? 0 : 1;
}

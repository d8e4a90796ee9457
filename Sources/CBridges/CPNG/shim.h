// libpng 1.6; ChartCLIP uses only the simplified png_image API, which needs no setjmp.
#include <png.h>
